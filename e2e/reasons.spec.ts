import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";

test.describe("admin", () => {
  test.use(signedInAs("admin"));

  test("adds a refund reason, moves it first, and retires it; the refund form follows", async ({ page }) => {
    await page.goto("/admin/reasons");
    await page.getByLabel("New reason").fill("Wrong size 尺码不合适");
    await page.getByRole("button", { name: "Add reason" }).click();
    const rows = page.getByTestId("reason-row");
    await expect(rows.last().getByRole("textbox")).toHaveValue("Wrong size 尺码不合适");

    // A duplicate (in any case) is refused with the reason.
    await page.getByLabel("New reason").fill("wrong size 尺码不合适");
    await page.getByRole("button", { name: "Add reason" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "already exists" })).toBeVisible();

    for (let i = 0; i < 7; i++) {
      await page.getByRole("button", { name: "Move “Wrong size 尺码不合适” up" }).click();
      await expect(rows.nth(6 - i).getByRole("textbox")).toHaveValue("Wrong size 尺码不合适");
    }
    await page.goto("/orders?state=none&max=500");
    await page.locator("tbody tr").first().locator("a").first().click();
    await expect(page.getByLabel("Reason (shown to the payer)")).toHaveValue("Wrong size 尺码不合适");

    await page.goto("/admin/reasons");
    await rows.first().getByRole("button", { name: "Retire" }).click();
    await expect(rows.first()).toContainText("Retired");
    await page.goBack();
    await page.reload();
    await expect(page.getByLabel("Reason (shown to the payer)")).toHaveValue("Customer request 顾客申请退款");
    await expect(page.getByRole("option", { name: "Wrong size 尺码不合适" })).toHaveCount(0);
  });
});
