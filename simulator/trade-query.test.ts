import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createV3Client } from "../lib/wechatpay/v3/client";
import { makeTestPki, type TestPki } from "../lib/wechatpay/v2/fixtures/tls-gateway";
import type { V2Credentials } from "../lib/wechatpay/v2/client";
import { listRefundsV2, queryOrderV2 } from "../lib/wechatpay/v2/queries";
import { addMerchant, MCHID, startHarness, v3Client, v3Credentials, type Harness } from "./test-support/harness";

const DAY = 86_400_000;
const PAID = {
  outTradeNo: "LOOK1001",
  transactionId: "4200000000202611230000000777",
  totalFen: 5000,
  payerOpenid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
  attach: "自定义数据",
};
const UNPAID = { outTradeNo: "LOOK1002", totalFen: 800, tradeState: "NOTPAY" as const };

let pki: TestPki;
let h: Harness;
let tlsUrl: string;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let v2: V2Credentials;
const options = { timeoutMs: 3000, ca: "" };

beforeAll(async () => {
  pki = makeTestPki(MCHID);
  options.ca = pki.caPem;
  h = await startHarness({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caPem } });
  tlsUrl = (await h.simulator.listenTls(0)).url;
  merchant = await addMerchant(h);
  v2 = { mchid: merchant.mchid, appid: merchant.appid, apiKey: merchant.apiV2Key, signType: "MD5", baseUrl: tlsUrl };
});
afterAll(async () => {
  await h.close();
  pki.cleanup();
});
beforeEach(async () => {
  await h.control.reset(true);
  await h.control.addTransactions(merchant.mchid, [{ ...PAID, paidAt: h.clock.now() - DAY }, UNPAID]);
});

describe("APIv3 查询订单", () => {
  it("answers a paid payment by transaction_id and by out_trade_no, signed", async () => {
    const { client } = v3Client(h, merchant, "public_key");
    for (const ref of [{ transactionId: PAID.transactionId }, { outTradeNo: PAID.outTradeNo }]) {
      const answer = await client.queryTransaction(ref);
      expect(answer).toMatchObject({
        ok: true,
        value: {
          mchid: merchant.mchid,
          out_trade_no: PAID.outTradeNo,
          transaction_id: PAID.transactionId,
          trade_state: "SUCCESS",
          attach: PAID.attach,
          payer: { openid: PAID.payerOpenid },
          amount: { total: 5000, payer_total: 5000, currency: "CNY" },
        },
      });
    }
    // The simulator refuses a query without `?mchid=` naming the signer, as WeChat does.
    expect(await h.control.requests(`/v3/pay/transactions/id/${PAID.transactionId}`)).toHaveLength(1);
  });

  it("turns to REFUND once a refund is made, also one made in the merchant platform", async () => {
    await h.control.importRefunds(
      merchant.mchid,
      [{ outTradeNo: PAID.outTradeNo, refundFen: 1200 }],
      "merchant_platform",
    );
    const answer = await v3Client(h, merchant, "public_key").client.queryTransaction({ outTradeNo: PAID.outTradeNo });
    expect(answer.ok && answer.value.trade_state).toBe("REFUND");
  });

  it("shows an unpaid order by out_trade_no only, without payer or transaction_id", async () => {
    const { client } = v3Client(h, merchant, "public_key");
    const answer = await client.queryTransaction({ outTradeNo: UNPAID.outTradeNo });
    expect(answer.ok && answer.value).toMatchObject({ trade_state: "NOTPAY", trade_state_desc: "未支付" });
    expect(answer.ok && answer.value.transaction_id).toBeUndefined();
  });

  it("refuses an unknown payment with 404 ORDER_NOT_EXIST", async () => {
    const { client } = v3Client(h, merchant, "public_key");
    const answer = await client.queryTransaction({ transactionId: "4200000000202611239999999999" });
    expect(answer).toMatchObject({ ok: false, error: { code: "ORDER_NOT_EXIST", httpStatus: 404 } });
  });

  it("serves the partner path with sp_mchid and sub_mchid, for the sub-merchant's payments only", async () => {
    await h.control.addTransactions(merchant.mchid, [
      { outTradeNo: "SUB1", transactionId: "4200000000202611230000000888", totalFen: 300, subMchid: "1900000999" },
    ]);
    const credentials = { ...v3Credentials(h, merchant, "public_key"), subMchid: "1900000999" };
    const { client } = createV3Client(credentials, { now: () => h.clock.now() });
    const answer = await client.queryTransaction({ transactionId: "4200000000202611230000000888" });
    expect(answer.ok && answer.value).toMatchObject({
      sp_mchid: merchant.mchid,
      sub_mchid: "1900000999",
      payer: { sp_openid: expect.any(String) },
    });
    const direct = await client.queryTransaction({ transactionId: PAID.transactionId });
    expect(direct).toMatchObject({ ok: false, error: { code: "ORDER_NOT_EXIST" } });
  });
});

describe("APIv2 查询订单 and 查询退款 by transaction_id", () => {
  it("answers orderquery with trade_state, fees, openid and time_end", async () => {
    const answer = await queryOrderV2(v2, { transactionId: PAID.transactionId }, options);
    expect(answer).toMatchObject({
      ok: true,
      value: {
        out_trade_no: PAID.outTradeNo,
        trade_state: "SUCCESS",
        total_fee: 5000,
        cash_fee: 5000,
        openid: PAID.payerOpenid,
        attach: PAID.attach,
        time_end: expect.stringMatching(/^\d{14}$/),
      },
    });
    const unpaid = await queryOrderV2(v2, { outTradeNo: UNPAID.outTradeNo }, options);
    expect(unpaid.ok && unpaid.value.trade_state).toBe("NOTPAY");
  });

  it("refuses an unknown order with ORDERNOTEXIST", async () => {
    const answer = await queryOrderV2(v2, { outTradeNo: "NOSUCHORDER" }, options);
    expect(answer).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
    expect(!answer.ok && answer.error.detail).toContain("ORDERNOTEXIST");
  });

  it("lists every refund of the payment, ten per answer, and none as an empty list", async () => {
    expect(await listRefundsV2(v2, { transactionId: PAID.transactionId }, options)).toEqual({ ok: true, value: [] });
    const many = Array.from({ length: 12 }, (_, i) => ({ outTradeNo: PAID.outTradeNo, refundFen: 100 + i }));
    await h.control.importRefunds(merchant.mchid, many, "merchant_platform");
    const listed = await listRefundsV2(v2, { transactionId: PAID.transactionId }, options);
    expect(listed.ok && listed.value.map((r) => r.refund_fee)).toEqual(many.map((r) => r.refundFen));
    expect(listed.ok && listed.value[0]).toMatchObject({ status: "SUCCESS", refund_status: "SUCCESS" });
    const calls = await h.control.requests("/pay/refundquery");
    expect(calls).toHaveLength(3);
  });
});
