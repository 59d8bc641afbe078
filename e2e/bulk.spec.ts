import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { createDatabase } from "../lib/db/client";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { signedInAs } from "./session";

type DemoOrder = {
  out_trade_no: string;
  total_fen: number;
};

/**
 * Three orders of the (APIv3) demo merchant nobody has refunded, known to the run's simulator, all below the approval threshold. Taken from
 * the oldest still refundable, so that specs which pick the newest orders from the list never meet them.
 */
async function untouchedOrders(): Promise<DemoOrder[]> {
  const { db, sql: client } = createDatabase(process.env.E2E_DATABASE_URL!, { max: 1 });
  try {
    const rows = await db.execute<DemoOrder>(sql`
      select o.out_trade_no, o.total_fen::int as total_fen
      from orders o join merchants m on m.id = o.merchant_id
      where o.refund_count = 0 and o.paid_at > now() - interval '300 days' and o.total_fen between 500 and m.approval_threshold_fen / 2
        and m.active and m.mchid = ${DEMO_MERCHANT.mchid}
      order by o.paid_at asc
      limit 3`);
    return [...rows];
  } finally {
    await client.end();
  }
}

test.describe("operator", () => {
  test.use(signedInAs("operator"));

  test("uploads a CSV with good and bad lines, sees why the bad ones are refused, runs the good ones to 100 %, downloads the results", async ({
    page,
  }) => {
    const [a, b, c] = await untouchedOrders();
    expect(c, "three untouched demo orders").toBeDefined();
    const csv = [
      "out_trade_no,amount,reason",
      `${a!.out_trade_no},0.01,E2E bulk`,
      `${b!.out_trade_no},full,"E2E bulk, all of it"`,
      `${a!.out_trade_no},0.01,E2E bulk`,
      "NO-SUCH-ORDER-E2E,1.00,",
      `${c!.out_trade_no},1.234,E2E bulk`,
    ].join("\n");

    await page.goto("/refunds");
    await page.getByRole("link", { name: "Bulk refunds" }).click();
    await expect(page.getByRole("heading", { name: "Bulk refunds", level: 1 })).toBeVisible();
    // The batch is the current merchant's, the demo merchant the operator works in.
    await expect(page.getByRole("region", { name: "Upload a file" })).toContainText(DEMO_MERCHANT.displayName);
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "e2e-bulk.csv", mimeType: "text/csv", buffer: Buffer.from(`\uFEFF${csv}`) });
    await page.getByRole("button", { name: "Upload and check" }).click();

    // The preview: nothing refunded yet, the bad lines first with their reasons.
    await expect(page.getByRole("heading", { name: /^Bulk refund batch #\d+$/ })).toBeVisible();
    await expect(page.getByTestId("bulk-total")).toHaveText("5");
    await expect(page.getByTestId("bulk-valid")).toHaveText("2");
    await expect(page.getByTestId("bulk-invalid")).toHaveText("3");
    const problems = page.getByTestId("row-problem");
    await expect(problems).toHaveCount(3);
    await expect(problems.nth(0)).toHaveText("Same as line 2 (same out_trade_no, amount and reason).");
    await expect(problems.nth(1)).toHaveText("No order with this out_trade_no for this merchant.");
    await expect(problems.nth(2)).toContainText("has more than two decimals");
    const rows = page.locator("tbody tr");
    await expect(rows.nth(0)).toContainText("Invalid");
    await expect(rows.nth(3)).toContainText("Waiting");

    const total = (b!.total_fen + 1) / 100;
    await page
      .getByRole("button", {
        name: `Confirm 2 refunds of ¥${total.toLocaleString("en-US", { minimumFractionDigits: 2 })} in all`,
      })
      .click();

    // The run: the bar fills as the lines are requested, live, without a reload.
    const bar = page.getByRole("progressbar", { name: "Progress" });
    await expect(bar).toHaveAttribute("aria-valuenow", "100", { timeout: 30_000 });
    await expect(page.getByTestId("bulk-percent")).toHaveText("100%");
    await expect(page.getByTestId("bulk-requested")).toHaveText("2");
    await expect(page.getByTestId("bulk-failed")).toHaveText("0");
    await expect(page.getByText("Completed").first()).toBeVisible();
    await expect(
      rows
        .filter({ hasText: a!.out_trade_no })
        .filter({ hasText: "Requested" })
        .getByRole("link", { name: /^R\d{8}/ }),
    ).toBeVisible();

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download results CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bulk-\d+-results\.csv$/);
    const text = await readFile((await download.path())!, "utf8");
    expect(
      text.startsWith(
        "\uFEFFline,out_trade_no,amount,reason,row_status,out_refund_no,refund_status,error_code,error_message",
      ),
    ).toBe(true);
    const lines = text.trim().split("\r\n");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(
      new RegExp(`^2,${a!.out_trade_no},0\\.01,E2E bulk,REQUESTED,R\\w+,(PENDING|PROCESSING|SUCCESS),,$`),
    );
    expect(lines[2]).toContain(
      `3,${b!.out_trade_no},${(b!.total_fen / 100).toFixed(2)},"E2E bulk, all of it",REQUESTED,`,
    );
    expect(lines[3]).toBe(
      `4,${a!.out_trade_no},0.01,E2E bulk,INVALID,,,DUPLICATE_LINE,"Same as line 2 (same out_trade_no, amount and reason)."`,
    );
    expect(lines[4]).toContain("NO-SUCH-ORDER-E2E,1.00,,INVALID,,,ORDER_NOT_FOUND,");
  });
});
