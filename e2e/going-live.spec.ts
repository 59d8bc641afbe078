import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { createDatabase } from "../lib/db/client";
import { merchants, orders } from "../lib/db/schema";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { signedInAs } from "./session";

test.describe("admin", () => {
  test.use(signedInAs("admin"));

  test("tests the merchant's connection to WeChat Pay from its page", async ({ page }) => {
    await page.goto("/admin/merchants");
    await page.getByRole("link", { name: DEMO_MERCHANT.displayName }).first().click();
    await expect(page.getByRole("heading", { name: "Connection to WeChat Pay" })).toBeVisible();
    await page.getByRole("button", { name: "Test connection" }).click();
    const findings = page.getByTestId("connection-findings");
    await expect(findings).toContainText(`Connected to WeChat Pay as merchant ${DEMO_MERCHANT.mchid} (v3).`, {
      timeout: 20_000,
    });
    await expect(findings.locator("li[data-code='CONNECTED']")).toBeVisible();
    await page.screenshot({ path: "test-results/going-live-test-connection.png", fullPage: true });
  });
});

test.describe("operator", () => {
  test.use(signedInAs("operator"));

  test("a refund WeChat refuses for good leaves the retry loop, FAILED with its code, and shows under Needs attention", async ({
    page,
  }) => {
    // An order the shop recorded but WeChat Pay does not know: WeChat answers 404 RESOURCE_NOT_EXISTS, a final error.
    // Paid 250 days ago, older than every demo order, so lists that other tests read first are unchanged.
    const { db, sql } = createDatabase(process.env.E2E_DATABASE_URL!, { max: 1 });
    const [merchant] = await db.select().from(merchants).where(eq(merchants.mchid, DEMO_MERCHANT.mchid));
    const outTradeNo = `GHOST${Date.now()}`;
    const [order] = await db
      .insert(orders)
      .values({
        merchantId: merchant!.id,
        outTradeNo,
        transactionId: `4200009999${Date.now()}`,
        totalFen: 5_000,
        paidAt: new Date(Date.now() - 250 * 86_400_000),
        description: "Unknown to WeChat",
      })
      .returning();
    await sql.end();

    await page.goto("/");
    const failedBefore = Number(
      (await page.getByTestId("attention-failed").locator("span.tabular-nums").textContent()) ?? "0",
    );

    await page.goto(`/orders/${order!.id}`);
    await page.getByLabel("Amount (¥)").fill("12.00");
    await page.getByRole("button", { name: "Review refund…" }).click();
    await page.getByRole("button", { name: "Confirm refund of ¥12.00" }).click();
    const refund = page.getByRole("article").filter({ hasText: "¥12.00" });
    await expect(refund.getByText("Failed").first()).toBeVisible({ timeout: 30_000 });
    await expect(refund).toContainText("RESOURCE_NOT_EXISTS");
    // The amount is released: the whole order can still be refunded once the cause is fixed.
    await expect(page.getByTestId("amount-remaining")).toHaveText("Remaining¥50.00");

    await page.goto("/");
    const failed = page.getByTestId("attention-failed");
    await expect(failed.locator("span.tabular-nums")).toHaveText(String(failedBefore + 1));
    await page.screenshot({ path: "test-results/going-live-needs-attention.png", fullPage: true });
    await failed.click();
    await expect(page.getByRole("link", { name: outTradeNo }).or(page.getByText(outTradeNo)).first()).toBeVisible();
  });
});
