import { randomBytes, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "@/lib/wechatpay/v2/fixtures/tls-gateway";
import type { V2Credentials } from "@/lib/wechatpay/v2/client";
import { listRefundsV2, queryOrderV2 } from "@/lib/wechatpay/v2/queries";
import { startV2Stub, type V2Stub } from "@/tests/wechatpay-doc-stub/v2-stub";

/**
 * An APIv2 merchant that is not the demo one (a random mchid, its own 32-character key) against an APIv2 written from
 * WeChat's documentation: the console's order query and refund list by transaction_id read what WeChat documents.
 */
describe("a real APIv2 merchant's payments and refunds, asked of WeChat Pay", () => {
  let pki: TestPki;
  let stub: V2Stub;
  let credentials: V2Credentials;
  const options = () => ({ ca: pki.caPem, timeoutMs: 3000 });

  beforeAll(async () => {
    const mchid = String(randomInt(1_600_000_000, 1_699_999_999));
    const merchant = { mchid, appid: "wx2421b1c4370ec43b", apiKey: randomBytes(16).toString("hex") };
    pki = makeTestPki(mchid);
    stub = await startV2Stub(merchant, { key: pki.serverKey, cert: pki.serverCert });
    credentials = { ...merchant, signType: "MD5", baseUrl: stub.baseUrl };
    stub.payments.push(
      {
        out_trade_no: "TEA2V20261204001",
        transaction_id: "4200002345202612049876500001",
        trade_state: "REFUND",
        total_fee: 9_900,
        openid: "oTeaPayerV2000000000000000001",
        time_end: "20261203181500",
        attach: "门店 3",
      },
      {
        out_trade_no: "TEA2V20261204002",
        transaction_id: "4200002345202612049876500002",
        trade_state: "NOTPAY",
        total_fee: 100,
        openid: "",
        time_end: "",
      },
    );
    stub.refunds.push(
      {
        transaction_id: "4200002345202612049876500001",
        out_refund_no: "MANUAL1",
        refund_id: "50300000012026120400000001",
        refund_fee: 1_000,
        refund_status: "SUCCESS",
        refund_success_time: "2026-12-03 19:00:02",
      },
      {
        transaction_id: "4200002345202612049876500001",
        out_refund_no: "MANUAL2",
        refund_id: "50300000012026120400000002",
        refund_fee: 500,
        refund_status: "PROCESSING",
      },
    );
  });
  afterAll(async () => {
    await stub.close();
    pki.cleanup();
  });

  it("查询订单 by transaction_id: the paid order, its amounts, payer, time_end and attach, signed for this mchid", async () => {
    const answer = await queryOrderV2(credentials, { transactionId: "4200002345202612049876500001" }, options());
    expect(answer).toEqual({
      ok: true,
      value: {
        out_trade_no: "TEA2V20261204001",
        transaction_id: "4200002345202612049876500001",
        trade_state: "REFUND",
        trade_state_desc: "支付成功",
        openid: "oTeaPayerV2000000000000000001",
        total_fee: 9_900,
        cash_fee: 9_900,
        fee_type: "CNY",
        attach: "门店 3",
        time_end: "20261203181500",
      },
    });
    expect(stub.received.at(-1)).toMatchObject({
      path: "/pay/orderquery",
      fields: { mch_id: credentials.mchid, transaction_id: "4200002345202612049876500001" },
    });
  });

  it("查询订单 of an unpaid order and of an unknown one", async () => {
    const unpaid = await queryOrderV2(credentials, { outTradeNo: "TEA2V20261204002" }, options());
    expect(unpaid.ok && unpaid.value.trade_state).toBe("NOTPAY");
    const unknown = await queryOrderV2(credentials, { outTradeNo: "TEA2V20261204099" }, options());
    expect(unknown).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
  });

  it("查询退款 by transaction_id: every refund of the order, made in the merchant platform too; none is an empty list", async () => {
    const listed = await listRefundsV2(credentials, { transactionId: "4200002345202612049876500001" }, options());
    expect(listed.ok && listed.value.map((r) => [r.out_refund_no, r.refund_fee, r.status])).toEqual([
      ["MANUAL1", 1_000, "SUCCESS"],
      ["MANUAL2", 500, "PROCESSING"],
    ]);
    expect(await listRefundsV2(credentials, { transactionId: "4200002345202612049876500002" }, options())).toEqual({
      ok: true,
      value: [],
    });
  });
});
