import { expect, test, type Page } from "@playwright/test";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { restoreEnglish, signedInAs } from "./session";
import { simulatorControl } from "./simulator";

/**
 * A customer on the line with the transaction id from their WeChat receipt, for a payment the console has never been
 * told about (no shop integration): the operator looks it up at WeChat Pay, it is imported, and refunded.
 */
const V2_MERCHANT = { mchid: "1900000110", name: "演示商户 APIv2 / Demo merchant (APIv2)" };

/** A 28-digit id like WeChat's, unique per run. */
const transactionId = (tail: string) => `4200${Date.now()}${tail}`.padEnd(28, "0");

async function search(page: Page, number: string, label: string, apply: string) {
  await page.getByLabel(label).fill(number);
  await page.getByRole("button", { name: apply, exact: true }).click();
}

test.use(signedInAs("operator"));

test("English: an operator pastes a transaction id, imports the payment from WeChat Pay (APIv3) and refunds it", async ({
  page,
}) => {
  const control = simulatorControl();
  const id = transactionId("01");
  const outTradeNo = `WXONLY${Date.now()}`;
  await control.addTransactions(DEMO_MERCHANT.mchid, [
    { outTradeNo, transactionId: id, totalFen: 8_800, attach: "table 7", payerOpenid: "oLookupPayer0001" },
  ]);
  const unpaid = `WXNOTPAID${Date.now()}`;
  await control.addTransactions(DEMO_MERCHANT.mchid, [{ outTradeNo: unpaid, totalFen: 1_500, tradeState: "NOTPAY" }]);

  // An unpaid order is explained, not imported.
  await page.goto("/orders");
  await search(page, unpaid, "Search", "Apply");
  await page.getByRole("button", { name: "Look up at WeChat Pay" }).click();
  const state = page.getByTestId("lookup-unpaid");
  await expect(state).toContainText("NOTPAY");
  await expect(state).toContainText("Not paid: the payer has not paid it.");
  await expect(state).toContainText("Only paid orders are imported");

  await search(page, id, "Search", "Apply");
  await expect(page.getByText("No orders match these filters.")).toBeVisible();
  await expect(page.getByTestId("lookup-panel")).toContainText(id);
  await page.screenshot({ path: "test-results/wechat-lookup-offer-en.png", fullPage: true });
  await page.getByRole("button", { name: "Look up at WeChat Pay" }).click();

  await expect(page.getByRole("heading", { name: `Order ${outTradeNo}` })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("order-source")).toHaveText(/Imported from WeChat Pay/);
  await expect(page.getByText(id)).toBeVisible();
  await expect(page.getByText("table 7")).toBeVisible();
  await expect(page.getByTestId("amount-remaining")).toHaveText("Remaining¥88.00");

  await page.getByLabel("Amount (¥)").fill("12.00");
  await page.getByRole("button", { name: "Review refund…" }).click();
  await page.getByRole("button", { name: "Confirm refund of ¥12.00" }).click();
  const refund = page.getByRole("article").filter({ hasText: "¥12.00" });
  await expect(refund.getByText("Succeeded").first()).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId("amount-remaining")).toHaveText("Remaining¥76.00");
  await page.screenshot({ path: "test-results/wechat-lookup-refunded-en.png", fullPage: true });

  // WeChat's side: one query by transaction_id, and the refund of that payment.
  const made = (await control.refunds({ mchid: DEMO_MERCHANT.mchid })).filter((r) => r.transactionId === id);
  expect(made.map((r) => [r.refundFen, r.status])).toEqual([[1_200, "SUCCESS"]]);

  // Looking it up again finds the order in the console: nothing is imported twice.
  await page.goto(`/orders?q=${id}`);
  await expect(page.getByRole("link", { name: outTradeNo })).toBeVisible();
  await expect(page.getByTestId("lookup-panel")).toHaveCount(0);
});

test("English: a payment already refunded in the merchant platform (APIv3) opens with a warning, its refunds unlisted", async ({
  page,
}) => {
  const control = simulatorControl();
  const id = transactionId("03");
  const outTradeNo = `WXREFUNDED${Date.now()}`;
  await control.addTransactions(DEMO_MERCHANT.mchid, [{ outTradeNo, transactionId: id, totalFen: 3_000 }]);
  await control.importRefunds(DEMO_MERCHANT.mchid, [{ outTradeNo, refundFen: 1_000 }], "merchant_platform");

  await page.goto(`/orders?q=${outTradeNo}`);
  await page.getByRole("button", { name: "Look up at WeChat Pay" }).click();
  await expect(page.getByTestId("refunds-unlisted")).toContainText("WeChat Pay's APIv3 cannot list", {
    timeout: 20_000,
  });
  await expect(page.getByRole("heading", { name: `Order ${outTradeNo}` })).toBeVisible();
  await page.screenshot({ path: "test-results/wechat-lookup-unlisted-en.png", fullPage: true });
});

test.describe("中文", () => {
  test.afterEach(async ({ page }) => restoreEnglish(page));

  test("操作员粘贴微信支付订单号导入订单（APIv2），看到在商户平台的退款并继续退款", async ({ page }) => {
    const control = simulatorControl();
    const id = transactionId("02");
    const outTradeNo = `WXV2ONLY${Date.now()}`;
    await control.addTransactions(V2_MERCHANT.mchid, [{ outTradeNo, transactionId: id, totalFen: 6_000 }]);
    // Staff refunded ¥10 by hand in WeChat Pay's merchant platform: the console never requested it.
    await control.importRefunds(V2_MERCHANT.mchid, [{ outTradeNo, refundFen: 1_000 }], "merchant_platform");

    await page.goto("/orders");
    await page.getByRole("combobox", { name: "Merchant" }).selectOption({ label: V2_MERCHANT.name });
    await expect(page).toHaveURL(/\/$/);
    await page.goto("/orders");
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");

    await search(page, id, "搜索", "查询");
    await expect(page.getByRole("heading", { name: "控制台中没有该订单 — 查询微信支付" })).toBeVisible();
    await page.getByRole("button", { name: "查询微信支付" }).click();

    await expect(page.getByTestId("order-source")).toHaveText(/从微信支付导入/, { timeout: 20_000 });
    const external = page.getByRole("article").filter({ hasText: "¥10.00" });
    await expect(external.getByTestId("external-refund")).toContainText("在微信支付商户平台退款");
    await expect(external.getByText("在微信支付商户平台退款").last()).toBeVisible();
    await expect(page.getByTestId("amount-remaining")).toContainText("¥50.00");

    await page.getByLabel("退款金额（元）").fill("5.00");
    await page.getByRole("button", { name: "核对退款…" }).click();
    await page.getByRole("button", { name: "确认退款 ¥5.00" }).click();
    const refund = page.getByRole("article").filter({ hasText: "¥5.00" });
    await expect(refund.getByText("退款成功").first()).toBeVisible({ timeout: 45_000 });
    await expect(page.getByTestId("amount-remaining")).toContainText("¥45.00");
    await page.screenshot({ path: "test-results/wechat-lookup-refunded-zh.png", fullPage: true });

    const atWechat = (await control.refunds({ mchid: V2_MERCHANT.mchid })).filter((r) => r.transactionId === id);
    expect(atWechat.map((r) => [r.refundFen, r.origin ?? "api"]).sort()).toEqual([
      [1_000, "merchant_platform"],
      [500, "api"],
    ]);
  });
});
