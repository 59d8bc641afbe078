import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";
import { simulatorControl } from "./simulator";

const MCHID = "1900000109";
const beijingDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

test.describe("approver", () => {
  test.use(signedInAs("approver"));

  test("sees a refund the bill left out, resolves it by querying WeChat, and the day turns green", async ({ page }) => {
    // A day before yesterday with several demo refunds, which WeChat holds as the console does; its bill is told to
    // leave one out (a bill left with no line at all would be a missing bill instead).
    const sim = simulatorControl();
    const yesterday = beijingDate(Date.now() - 86_400_000);
    const byDay = new Map<string, { outRefundNo: string }[]>();
    for (const r of await sim.refunds({ mchid: MCHID })) {
      if (r.status !== "SUCCESS" || r.origin !== "import" || r.successTime === undefined) continue;
      const day = beijingDate(r.successTime);
      if (day < yesterday) byDay.set(day, [...(byDay.get(day) ?? []), r]);
    }
    const [billDate, refunds] =
      [...byDay].filter(([, rs]) => rs.length >= 2).sort(([a], [b]) => b.localeCompare(a))[0] ?? [];
    const refund = refunds?.[0];
    if (!billDate || !refund) throw new Error("the demo data has no day with two successful refunds before yesterday");
    await sim.adjustBill({ kind: "omit", mchid: MCHID, billDate, outRefundNo: refund.outRefundNo });

    await page.goto("/reconciliation");
    await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();
    await page.getByLabel("Bill date").fill(billDate);
    await page.getByRole("button", { name: "Run reconciliation" }).click();
    await expect(page.getByRole("status")).toHaveText(`Bill of ${billDate}: Mismatches.`);
    const dayStatus = page.getByTestId(`day-status-${billDate}`);
    await expect(dayStatus).toHaveText("Mismatches");

    const mismatch = page.getByRole("row").filter({ hasText: refund.outRefundNo });
    await expect(mismatch).toContainText("Succeeded in the console, not in the bill");
    await mismatch.getByRole("button", { name: "Query WeChat now" }).click();

    await expect(dayStatus).toHaveText("Matched");
    await expect(page.getByRole("row").filter({ hasText: refund.outRefundNo })).toHaveCount(0);
    await dayStatus.locator("xpath=ancestor::tr").getByRole("link", { name: billDate }).click();
    await expect(page.getByRole("heading", { name: `Refund bill of ${billDate}` })).toBeVisible();
    await expect(page.getByTestId("day-status")).toHaveText("Matched");
    await expect(page.getByRole("row").filter({ hasText: refund.outRefundNo }).first()).toContainText(
      "Resolved by querying WeChat",
    );
  });
});

test.describe("viewer", () => {
  test.use(signedInAs("viewer"));

  test("sees the days and the queue, but no way to run or resolve", async ({ page }) => {
    await page.goto("/reconciliation");
    await expect(page.getByRole("heading", { name: "Mismatch queue" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Run reconciliation" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Query WeChat now" })).toHaveCount(0);
  });
});
