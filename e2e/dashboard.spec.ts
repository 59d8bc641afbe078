import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";

test.describe("viewer", () => {
  test.use(signedInAs("viewer"));

  test("sees the period's tiles, its charts, and opens what needs attention", async ({ page }) => {
    await page.goto("/?days=90");
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await expect(page.getByRole("link", { name: "Last 90 days" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("tile-refunded")).toContainText(/¥[\d,]+\.\d\d/);
    await expect(page.getByTestId("tile-success-rate")).toContainText("%");
    await expect(page.getByTestId("tile-time-to-success")).toContainText(/\d+ (s|min|h|d)/);
    // Both charts drew bars for the demo data.
    for (const name of ["Refunded per day", "Refunds requested per day, by status now"]) {
      await expect(page.getByRole("region", { name }).locator(".recharts-bar-rectangle").first()).toBeVisible();
    }

    await page.getByTestId("attention-abnormal").click();
    await expect(page).toHaveURL(/\/refunds\?status=ABNORMAL$/);
  });

  test("exports the period's refunds: a CSV download with a BOM and the header", async ({ page }) => {
    await page.goto("/?days=90");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export these refunds (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^refunds-\d{8}-\d{4}\.csv$/);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").split("\r\n");
    expect(lines[0]).toMatch(
      /^Requested at \(Beijing time\),Refund no\. \(out_refund_no\),WeChat refund ID,Order no\. \(out_trade_no\),/,
    );
    expect(lines.length).toBeGreaterThan(2);
  });
});

test("an export without a session is sent to the login page", async ({ request }) => {
  const response = await request.get("/api/export/refunds", { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(response.headers().location).toContain("/login");
});
