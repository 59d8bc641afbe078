import { expect, test } from "@playwright/test";
import { restoreEnglish, signedInAs } from "./session";

const CHINESE = /[\u4e00-\u9fff]/;

test.describe("operator", () => {
  test.use(signedInAs("operator"));
  test.afterEach(async ({ page }) => restoreEnglish(page));

  test("switches the console to Chinese, keeps it after a reload, and switches back to English", async ({ page }) => {
    await page.goto("/orders");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" })).toBeVisible();

    await page.getByRole("button", { name: "中文" }).click();
    const nav = page.getByRole("navigation", { name: "主导航" });
    await expect(nav.getByRole("link", { name: "订单" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "退款", exact: true })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("button", { name: "查询" })).toBeVisible();
    await expect(page.getByRole("link", { name: "下一页 →" })).toBeVisible();
    // Every column header of the orders list is in Chinese, not just the navigation.
    const headers = page.locator("thead th");
    await expect(headers.first()).toHaveText(CHINESE);
    for (const header of await headers.allTextContents()) expect(header).toMatch(CHINESE);

    await page.reload();
    await expect(nav.getByRole("link", { name: "订单" })).toBeVisible();
    await expect(page.getByRole("button", { name: "中文" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("current-user")).toContainText("操作员");

    // Another page, reached through the navigation, speaks Chinese too.
    await nav.getByRole("link", { name: "审计日志" }).click();
    await expect(page.getByRole("heading", { name: "审计日志", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });
});

test.describe("operator's errors", () => {
  test.use(signedInAs("operator"));
  test.afterEach(async ({ page }) => restoreEnglish(page));

  // The console's answers come from lib/ as message keys: the same error reads in each operator's language.
  test("an error the console answers reads in English, then in Chinese", async ({ page }) => {
    await page.goto(`/orders?q=${encodeURIComponent("ab cd!")}`);
    await page.getByRole("button", { name: "Look up at WeChat Pay" }).click();
    await expect(
      page.getByText("Enter a WeChat Pay transaction id (28 digits) or the shop's order number."),
    ).toBeVisible();

    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await page.goto(`/orders?q=${encodeURIComponent("ab cd!")}`);
    await page.getByRole("button", { name: "查询微信支付" }).click();
    await expect(page.getByText("请输入微信支付订单号（28 位数字）或商户订单号。")).toBeVisible();
    await page.screenshot({ path: "test-results/i18n-error-zh.png", fullPage: true });
  });
});

test.describe("signed out", () => {
  test.use({ locale: "zh-CN" });

  test("the login page follows the browser's language, and its switcher is remembered", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByLabel("邮箱")).toBeVisible();
    await expect(page.getByRole("button", { name: "登录" })).toBeVisible();

    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByLabel("Email")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Email")).toBeVisible();

    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
    await expect(page.getByLabel("密码")).toBeVisible();
  });
});
