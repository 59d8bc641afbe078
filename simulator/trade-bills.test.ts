import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "../lib/wechatpay/v2/fixtures/tls-gateway";
import { downloadBillFileV2 } from "../lib/wechatpay/v2/bill";
import { downloadTradeBillFileV3 } from "../lib/wechatpay/v3/bill";
import { BILL_COLUMNS, MAX_TRADE_BILL_BYTES } from "../lib/wechatpay/bill-file";
import { byteChunks, readBillStream } from "../lib/wechatpay/bill-stream";
import { TRADE_BILL_KEY_COLUMN } from "../lib/wechatpay/trade-bill";
import { beijingDate } from "../lib/beijing-time";
import { addMerchant, startHarness, v3Client, type Harness } from "./test-support/harness";

const DAY = 86_400_000;

let pki: TestPki;
let h: Harness;
let tlsUrl: string;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let client: ReturnType<typeof v3Client>["client"];
let yesterday: string;

beforeAll(async () => {
  pki = makeTestPki("1900000109");
  h = await startHarness({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caPem } });
  tlsUrl = (await h.simulator.listenTls(0)).url;
  merchant = await addMerchant(h);
  client = v3Client(h, merchant, "public_key").client;
  yesterday = beijingDate(h.clock.now() - DAY);
  const noon = Date.parse(`${yesterday}T12:00:00+08:00`);
  await h.control.addTransactions(merchant.mchid, [
    { outTradeNo: "OLD1", transactionId: "4200000000202611200000000001", totalFen: 5000, paidAt: noon - 3 * DAY },
    { outTradeNo: "NEW1", transactionId: "4200000000202611230000000002", totalFen: 1999, paidAt: noon },
    { outTradeNo: "NEW2", transactionId: "4200000000202611230000000003", totalFen: 1, paidAt: noon + 60_000 },
  ]);
  await h.control.importRefunds(merchant.mchid, [
    { outRefundNo: "R1", outTradeNo: "OLD1", refundFen: 700, status: "SUCCESS", createTime: noon + 120_000 },
  ]);
});
afterAll(async () => {
  await h.close();
  pki.cleanup();
});

/** The bill's data lines by column name, read by the console's streaming reader. */
async function lines(bytes: Uint8Array, expected?: { hashType: string; hashValue: string }) {
  const rows: Record<string, string>[] = [];
  const read = await readBillStream(byteChunks(bytes, 100), {
    requiredColumn: TRADE_BILL_KEY_COLUMN,
    expected,
    onLine: (_, raw) => {
      rows.push(raw);
      return { ok: true, value: undefined };
    },
  });
  return { read, rows };
}

describe("the simulator's ALL trade bill", () => {
  it("APIv3: the day's payments (SUCCESS) and refunds (REFUND) in WeChat's columns, with the SHA1 stated", async () => {
    const file = await downloadTradeBillFileV3(client, { billDate: yesterday, billType: "ALL" }, MAX_TRADE_BILL_BYTES);
    if (!file.ok) throw new Error(file.error.detail);
    const text = gunzipSync(file.value.bytes).toString("utf8");
    expect(text.split("\r\n")[0]).toBe(BILL_COLUMNS.join(","));
    expect(text).toContain(
      "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`3,`20.00,`7.00,`0.00,`0.08000,`20.00,`7.00",
    );
    const { read, rows } = await lines(file.value.bytes, file.value);
    expect(read).toMatchObject({ ok: true, value: { lineCount: 3 } });
    expect(
      rows.map((r) => [r["交易状态"], r["商户订单号"], r["订单金额"], r["微信退款单号"], r["退款金额"], r["手续费"]]),
    ).toEqual([
      ["SUCCESS", "NEW1", "19.99", "0", "0.00", "0.12000"],
      ["SUCCESS", "NEW2", "0.01", "0", "0.00", "0.00000"],
      ["REFUND", "OLD1", "50.00", expect.stringMatching(/^\d+$/), "7.00", "-0.04000"],
    ]);
    expect(rows[0]!["交易时间"]).toBe(`${yesterday} 12:00:00`);
  });

  it("APIv2 downloadbill bill_type=ALL: the same lines; no payment and no refund is No Bill Exist", async () => {
    const creds = {
      mchid: merchant.mchid,
      appid: merchant.appid,
      apiKey: merchant.apiV2Key,
      signType: "MD5" as const,
      baseUrl: tlsUrl,
    };
    const options = { ca: pki.caPem, timeoutMs: 3000 };
    const file = await downloadBillFileV2(
      creds,
      { billDate: yesterday, billType: "ALL" },
      MAX_TRADE_BILL_BYTES,
      options,
    );
    if (!file.ok) throw new Error(file.error.detail);
    const { read, rows } = await lines(file.value);
    expect(read.ok).toBe(true);
    expect(rows.map((r) => r["商户订单号"])).toEqual(["NEW1", "NEW2", "OLD1"]);
    const none = await downloadBillFileV2(
      creds,
      { billDate: beijingDate(h.clock.now() - 9 * DAY), billType: "ALL" },
      MAX_TRADE_BILL_BYTES,
      options,
    );
    expect(none).toMatchObject({ ok: false, error: { code: "NO_STATEMENT_EXIST" } });
  });
});
