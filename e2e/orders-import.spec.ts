import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";
import { simulatorControl } from "./simulator";

const MCHID = "1900000109";
const DAY = 86_400_000;
const beijingDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

test.describe("admin", () => {
  test.use(signedInAs("admin"));

  test("imports payments the console never heard of from WeChat Pay's bills of past days, with progress", async ({
    page,
  }) => {
    // Two payments made at WeChat Pay two days ago that no shop integration reported.
    const run = Date.now();
    const noon = Date.parse(`${beijingDate(run - 2 * DAY)}T12:00:00+08:00`);
    const payments = [0, 1].map((i) => ({
      outTradeNo: `BILLIMP${run}${i}`,
      transactionId: `4200${String(run).slice(-13)}${String(i).padStart(11, "0")}`,
      totalFen: 1234 + i,
      paidAt: noon + i * 60_000,
    }));
    await simulatorControl().addTransactions(MCHID, payments);

    await page.goto("/orders");
    await page.getByRole("link", { name: "Import orders" }).click();
    await expect(page.getByRole("heading", { name: "Import orders", level: 1 })).toBeVisible();
    await page.getByLabel("First day").fill(beijingDate(run - 3 * DAY));
    await page.getByLabel("Last day").fill(beijingDate(run - DAY));
    await page.getByRole("button", { name: "Import these days" }).click();
    await expect(page.getByRole("status")).toHaveText("Started: 3 days to import. Progress is shown below.");

    const row = page.getByRole("row").filter({ hasText: `${beijingDate(run - 3 * DAY)} – ${beijingDate(run - DAY)}` });
    await expect(row.first()).toContainText("3 / 3 days", { timeout: 30_000 });
    await expect(row.first()).toContainText("Done");
    await expect(page.getByTestId(`import-day-${beijingDate(run - 2 * DAY)}`)).toHaveText("Imported");
    await page.screenshot({ path: "test-results/orders-import-backfill.png", fullPage: true });

    await page.goto(`/orders?q=BILLIMP${run}`);
    await expect(page.getByRole("link", { name: payments[0]!.outTradeNo })).toBeVisible();
    await expect(page.getByRole("link", { name: payments[1]!.outTradeNo })).toBeVisible();
  });

  test("imports a file of orders line by line and hands back an error report of the refused lines", async ({
    page,
  }) => {
    const run = Date.now();
    const file = [
      "支付时间（北京时间）,商户订单号,微信支付订单号,商品描述,订单金额（元）",
      `2026-11-20 10:00:00,FILEIMP${run}1,4200${run}1,咖啡,19.99`,
      `2026-11-20 10:05:00,FILEIMP${run}2,4200${run}2,茶,8.50`,
      `2026-11-20 10:06:00,FILEIMP${run}3,4200${run}3,,1.001`,
      `2026-11-20 10:07:00,=cmd,4200${run}4,,1.00`,
    ].join("\r\n");
    await page.goto("/orders/import");
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "old-system.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await page.getByRole("button", { name: "Import file" }).click();
    await expect(page.getByRole("status")).toContainText("2 imported, 0 already there, 2 refused.");
    await page.screenshot({ path: "test-results/orders-import-file.png", fullPage: true });

    const download = page.waitForEvent("download");
    await page.getByRole("status").getByRole("link", { name: "Download the error report" }).click();
    const report = await readFile(await (await download).path(), "utf8");
    expect(
      report
        .replace(/^\uFEFF/, "")
        .split("\r\n")
        .slice(0, 3),
    ).toEqual([
      "line,out_trade_no,error_code,error_message",
      `4,FILEIMP${run}3,INVALID_AMOUNT,"The order amount must be more than 0, in yuan with at most two decimals."`,
      '5,\'=cmd,INVALID_OUT_TRADE_NO,"The order no. must be 6–32 characters of letters, digits or _-|*."',
    ]);

    // The same file again changes nothing.
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "old-system.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await page.getByRole("button", { name: "Import file" }).click();
    await expect(page.getByRole("status")).toContainText("0 imported, 2 already there, 2 refused.");
  });
});

test.describe("admin in Chinese", () => {
  test.use(signedInAs("admin"));

  test("reads the import page in Chinese", async ({ page }) => {
    await page.goto("/orders/import");
    await page.getByRole("button", { name: "中文" }).click();
    try {
      await expect(page.getByRole("heading", { name: "导入订单", level: 1 })).toBeVisible();
      await expect(page.getByRole("heading", { name: "从微信支付交易账单导入" })).toBeVisible();
      await expect(page.getByRole("button", { name: "补录这些日期" })).toBeVisible();
      await expect(page.getByLabel("CSV 文件")).toBeVisible();
      await page.screenshot({ path: "test-results/orders-import-zh.png", fullPage: true });
    } finally {
      // The language is saved on the user: give the other tests their English back.
      await page.getByRole("button", { name: "English" }).click();
      await expect(page.getByRole("heading", { name: "Import orders", level: 1 })).toBeVisible();
    }
  });
});

test.describe("operator", () => {
  test.use(signedInAs("operator"));

  test("has no way to import orders", async ({ page }) => {
    await page.goto("/orders");
    await expect(page.getByRole("link", { name: "Import orders" })).toHaveCount(0);
    await page.goto("/orders/import");
    await expect(page).toHaveURL(/\/orders\?denied=1$/);
  });
});
