import { expect, test, type Page } from "@playwright/test";
import { restoreEnglish, signedInAs } from "./session";
import { simulatorControl } from "./simulator";

/**
 * A real merchant's first day, with nothing but its own WeChat Pay keys: added in the console, its keys uploaded as a
 * merchant downloads them from the merchant platform, no demo data, no orders, no shop integration. A customer calls
 * with the transaction id from their receipt; the payment is looked up at WeChat Pay, imported and refunded.
 */
test.use(signedInAs("admin"));
// The admin switches to Chinese below: English again for the specs after this one, even if this one fails.
test.afterEach(async ({ page }) => restoreEnglish(page));

const pem = (name: string, text: string) => ({ name, mimeType: "application/x-pem-file", buffer: Buffer.from(text) });
const transactionId = (tail: string) => `4200${Date.now()}${tail}`.padEnd(28, "0");

async function lookUpAndRefund(page: Page, id: string, words: Record<string, string>, yuan: string) {
  await page.goto("/orders");
  await page.getByLabel(words.search!).fill(id);
  await page.getByRole("button", { name: words.apply, exact: true }).click();
  await expect(page.getByTestId("lookup-panel")).toContainText(id);
  await page.getByRole("button", { name: words.lookUp }).click();
  await expect(page.getByTestId("order-source")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel(words.amount!).fill(yuan);
  await page.getByRole("button", { name: words.review }).click();
  await page.getByRole("button", { name: words.confirm }).click();
  const refund = page.getByRole("article").filter({ hasText: `¥${yuan}` });
  await expect(refund.getByText(words.succeeded!).first()).toBeVisible({ timeout: 45_000 });
}

test("a merchant live with only its own keys: a pasted transaction id is imported from WeChat Pay and refunded, in English and in Chinese", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const control = simulatorControl();
  const mchid = `17${String(Date.now()).slice(-8)}`;
  const name = `Tea House ${mchid}`;
  const keys = await control.upsertMerchant({ mchid, appid: "wx7e2ea1e5c0ffee01", signingMode: "public_key" });

  // Added as a merchant's administrator does on the first day.
  await page.goto("/admin/merchants");
  await page.locator('input[name="displayName"]').fill(name);
  await page.locator('input[name="mchid"]').fill(mchid);
  await page.locator('input[name="appid"]').fill(keys.appid);
  await page.locator('select[name="credentialsRef"]').selectOption("db");
  await page.getByRole("button", { name: "Add merchant" }).click();
  await expect(page.getByText("Merchant added.")).toBeVisible();
  await page.getByRole("link", { name }).first().click();

  // Its keys, uploaded as files the way the merchant platform hands them out.
  await page.locator('input[name="merchantSerialNo"]').fill(keys.merchantSerialNo);
  await page
    .locator('input[name="merchantPrivateKeyPem"]')
    .setInputFiles(pem("apiclient_key.pem", keys.merchantPrivateKey!));
  await page.locator('input[name="apiV3Key"]').fill(keys.apiV3Key);
  await page.getByRole("radio", { name: "WeChat Pay public key" }).check();
  await page.locator('input[name="publicKeyId"]').fill(keys.publicKeyId);
  await page.locator('input[name="publicKeyPem"]').setInputFiles(pem("pub_key.pem", keys.platformPublicKey));
  await page.getByRole("button", { name: "Upload as standby" }).click();
  await expect(page.getByText("Version 1 stored as standby.")).toBeVisible();
  await page.getByRole("button", { name: "Activate version 1" }).click();
  await expect(
    page.getByText("Uploaded, v1 active").or(page.getByText("Active", { exact: true }).first()),
  ).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(`Connected to WeChat Pay as merchant ${mchid} (v3).`)).toBeVisible({ timeout: 20_000 });

  // Nothing in the console yet: the payments exist only at WeChat Pay.
  const english = transactionId("71");
  const chinese = transactionId("72");
  await control.addTransactions(mchid, [
    { outTradeNo: `TEA-${mchid}-1`, transactionId: english, totalFen: 4_200, payerOpenid: "oTeaPayer0001" },
    { outTradeNo: `TEA-${mchid}-2`, transactionId: chinese, totalFen: 3_600, payerOpenid: "oTeaPayer0002" },
  ]);
  // The header's merchant switcher now lists the new merchant; switching opens its dashboard.
  await page.goto("/orders");
  await page.getByRole("combobox", { name: "Merchant" }).selectOption({ label: name });
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.goto("/orders");
  await expect(page.getByText("No orders match these filters.")).toBeVisible();

  await lookUpAndRefund(
    page,
    english,
    {
      search: "Search",
      apply: "Apply",
      lookUp: "Look up at WeChat Pay",
      amount: "Amount (¥)",
      review: "Review refund…",
      confirm: "Confirm refund of ¥15.00",
      succeeded: "Succeeded",
    },
    "15.00",
  );
  await expect(page.getByTestId("amount-remaining")).toHaveText("Remaining¥27.00");
  await page.screenshot({ path: "test-results/real-merchant-lookup-en.png", fullPage: true });

  await page.getByRole("button", { name: "中文" }).click();
  // The switch is saved by a server action: leaving the page before it answers would race the next page against it.
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await lookUpAndRefund(
    page,
    chinese,
    {
      search: "搜索",
      apply: "查询",
      lookUp: "查询微信支付",
      amount: "退款金额（元）",
      review: "核对退款…",
      confirm: "确认退款 ¥6.00",
      succeeded: "退款成功",
    },
    "6.00",
  );
  await expect(page.getByTestId("amount-remaining")).toHaveText("可退金额¥30.00");
  await page.screenshot({ path: "test-results/real-merchant-lookup-zh.png", fullPage: true });
});
