import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { downloadRefundBillV2 } from "../lib/wechatpay/v2/bill";
import { makeTestPki, type TestPki } from "../lib/wechatpay/v2/fixtures/tls-gateway";
import { downloadRefundBillV3 } from "../lib/wechatpay/v3/bill";
import { beijingDate } from "../lib/beijing-time";
import { addMerchant, startHarness, v3Client, type Harness } from "./test-support/harness";

const DAY = 86_400_000;
const ORDER = { outTradeNo: "T7001", transactionId: "4200000000202611230000000007", totalFen: 10_000 };

let pki: TestPki;
let h: Harness;
let tlsUrl: string;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let client: ReturnType<typeof v3Client>["client"];
/** The day before the test clock's day: the newest day with a bill. */
let yesterday: string;

beforeAll(async () => {
  pki = makeTestPki("1900000109");
  h = await startHarness({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caPem } });
  tlsUrl = (await h.simulator.listenTls(0)).url;
  merchant = await addMerchant(h);
  client = v3Client(h, merchant, "public_key").client;
});
afterAll(async () => {
  await h.close();
  pki.cleanup();
});
beforeEach(async () => {
  await h.control.reset(true);
  yesterday = beijingDate(h.clock.now() - DAY);
  await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - 2 * DAY }]);
  await h.control.importRefunds(merchant.mchid, [
    {
      outRefundNo: "R1",
      outTradeNo: ORDER.outTradeNo,
      refundFen: 1234,
      status: "SUCCESS",
      createTime: h.clock.now() - DAY,
    },
    {
      outRefundNo: "R2",
      outTradeNo: ORDER.outTradeNo,
      refundFen: 100,
      status: "PROCESSING",
      createTime: h.clock.now() - DAY,
    },
    {
      outRefundNo: "R3",
      outTradeNo: ORDER.outTradeNo,
      refundFen: 200,
      status: "SUCCESS",
      createTime: h.clock.now() - 2 * DAY,
    },
  ]);
});

describe("refund bills made from the simulator's state", () => {
  it("APIv3: lists the day's successful refunds, gzipped, with the SHA1 the client checks", async () => {
    const bill = await downloadRefundBillV3(client, { billDate: yesterday });
    expect(bill.ok && bill.value.hashType).toBe("SHA1");
    expect(bill.ok && bill.value.bill.lines).toEqual([
      expect.objectContaining({
        outRefundNo: "R1",
        outTradeNo: "T7001",
        transactionId: ORDER.transactionId,
        refundFen: 1234,
        settlementRefundFen: 1234,
        couponRefundFen: 0,
        refundStatus: "SUCCESS",
      }),
    ]);
    expect(bill.ok && bill.value.bill.totals).toMatchObject({
      lineCount: 1,
      refundFen: 1234,
      settlementRefundFen: 1234,
    });
  });

  it("can be told to omit, change and add lines", async () => {
    await h.control.importRefunds(merchant.mchid, [
      { outRefundNo: "R4", outTradeNo: ORDER.outTradeNo, refundFen: 50, createTime: h.clock.now() - DAY },
    ]);
    await h.control.adjustBill({ kind: "omit", mchid: merchant.mchid, billDate: yesterday, outRefundNo: "R4" });
    await h.control.adjustBill({
      kind: "change",
      mchid: merchant.mchid,
      billDate: yesterday,
      outRefundNo: "R1",
      settlementRefundFen: 1000,
      couponRefundFen: 234,
    });
    await h.control.adjustBill({
      kind: "add",
      mchid: merchant.mchid,
      billDate: yesterday,
      outRefundNo: "BYHAND1",
      outTradeNo: ORDER.outTradeNo,
      refundFen: 300,
    });
    const bill = await downloadRefundBillV3(client, { billDate: yesterday });
    expect(
      bill.ok &&
        bill.value.bill.lines.map((l) => [l.outRefundNo, l.refundFen, l.settlementRefundFen, l.couponRefundFen]),
    ).toEqual([
      ["R1", 1234, 1000, 234],
      ["BYHAND1", 300, 300, 0],
    ]);
  });

  it("refuses a bill whose stated hash is corrupted", async () => {
    await h.control.adjustBill({ kind: "corrupt_hash", mchid: merchant.mchid, billDate: yesterday });
    expect(await downloadRefundBillV3(client, { billDate: yesterday })).toMatchObject({
      ok: false,
      error: { code: "BILL_HASH_MISMATCH" },
    });
  });

  it("answers STATEMENT_CREATING for a withheld bill, NO_STATEMENT_EXIST for a day without refunds, and no bill for today", async () => {
    await h.control.adjustBill({ kind: "missing", mchid: merchant.mchid, billDate: yesterday });
    expect(await downloadRefundBillV3(client, { billDate: yesterday })).toMatchObject({
      ok: false,
      error: { code: "STATEMENT_CREATING", httpStatus: 400 },
    });
    expect(await downloadRefundBillV3(client, { billDate: beijingDate(h.clock.now() - 5 * DAY) })).toMatchObject({
      ok: false,
      error: { code: "NO_STATEMENT_EXIST" },
    });
    expect(await downloadRefundBillV3(client, { billDate: beijingDate(h.clock.now()) })).toMatchObject({
      ok: false,
      error: { code: "PARAM_ERROR" },
    });
    await h.control.clearBillAdjustments();
    expect((await downloadRefundBillV3(client, { billDate: yesterday })).ok).toBe(true);
  });

  it("APIv2 downloadbill: the same bill, and No Bill Exist as NO_STATEMENT_EXIST", async () => {
    const creds = {
      mchid: merchant.mchid,
      appid: merchant.appid,
      apiKey: merchant.apiV2Key,
      signType: "MD5" as const,
      baseUrl: tlsUrl,
    };
    const bill = await downloadRefundBillV2(creds, { billDate: yesterday }, { ca: pki.caPem, timeoutMs: 3000 });
    expect(bill.ok && bill.value.lines.map((l) => l.outRefundNo)).toEqual(["R1"]);
    const none = await downloadRefundBillV2(
      creds,
      { billDate: beijingDate(h.clock.now() - 5 * DAY) },
      { ca: pki.caPem, timeoutMs: 3000 },
    );
    expect(none).toMatchObject({ ok: false, error: { code: "NO_STATEMENT_EXIST" } });
  });

  it("imports refunds all or nothing, and keeps the first registration of a number", async () => {
    const again = await h.control.importRefunds(merchant.mchid, [
      { outRefundNo: "R1", outTradeNo: ORDER.outTradeNo, refundFen: 1234 },
    ]);
    expect(again).toMatchObject({ created: 0, unchanged: 1 });
    await expect(
      h.control.importRefunds(merchant.mchid, [
        { outRefundNo: "R9", outTradeNo: ORDER.outTradeNo, refundFen: 1 },
        { outRefundNo: "R1", outTradeNo: ORDER.outTradeNo, refundFen: 999 },
      ]),
    ).rejects.toThrow(/409/);
    expect(await h.control.refunds({ outRefundNo: "R9" })).toEqual([]);
    const byHand = await h.control.importRefunds(
      merchant.mchid,
      [{ outTradeNo: ORDER.outTradeNo, refundFen: 10 }],
      "merchant_platform",
    );
    const [made] = byHand.refunds;
    expect(made).toMatchObject({ origin: "merchant_platform", status: "SUCCESS" });
    expect(made?.outRefundNo).toBe(made?.refundId);
    expect(await client.queryRefund(made!.outRefundNo)).toMatchObject({
      ok: true,
      value: { status: "SUCCESS", amount: { refund: 10 } },
    });
  });
});
