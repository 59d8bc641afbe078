import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { V2Credentials } from "./client";
import { makeTestPki, startGateway, type GatewayReply, type TestGateway, type TestPki } from "./fixtures/tls-gateway";
import { listRefundsV2, queryOrderV2 } from "./queries";
import { signV2 } from "./sign";
import { buildXml, parseXml } from "./xml";

// The merchant, appid and ids of WeChat's documented examples (查询订单, 查询退款).
const MCHID = "10000100";
const APPID = "wx2421b1c4370ec43b";
const API_KEY = "TestOnlyV2Key_NotReal_0123456789";

let pki: TestPki;
let gateway: TestGateway;
let creds: V2Credentials;
const options = () => ({ ca: pki.caPem, timeoutMs: 2000 });

beforeAll(async () => {
  pki = makeTestPki(MCHID);
  gateway = await startGateway(pki);
});
afterAll(async () => {
  await gateway.close();
  pki.cleanup();
});
beforeEach(() => {
  gateway.seen.length = 0;
  // The test gateway asks every caller for a certificate; WeChat asks none for queries (see the simulator test).
  creds = {
    mchid: MCHID,
    appid: APPID,
    apiKey: API_KEY,
    signType: "MD5",
    p12: pki.clientP12,
    baseUrl: gateway.baseUrl,
  };
});

/**
 * A documented answer, its `sign` recomputed with the test key: the documentation's own sign is over WeChat's
 * key, which nobody has.
 */
function documented(fields: Record<string, string>): GatewayReply {
  const xml = buildXml({ ...fields, sign: signV2(fields, API_KEY, "MD5") });
  return { body: xml.ok ? xml.value : "" };
}

/** 查询订单's documented example answer. */
const ORDER_ANSWER = {
  return_code: "SUCCESS",
  return_msg: "OK",
  appid: APPID,
  mch_id: MCHID,
  device_info: "1000",
  nonce_str: "TN55wO9Pba5yENl8",
  result_code: "SUCCESS",
  openid: "oUpF8uN95-Ptaags6E_roPHg7AG0",
  is_subscribe: "Y",
  trade_type: "MICROPAY",
  bank_type: "CCB_DEBIT",
  total_fee: "1",
  fee_type: "CNY",
  transaction_id: "1008450740201411110005820873",
  out_trade_no: "1415757673",
  attach: "订单额外描述",
  time_end: "20141111170043",
  trade_state: "SUCCESS",
};

/** 查询退款's documented example answer: refund_count and the `_$n` fields of each refund, without total_fee. */
const REFUND_ANSWER = {
  appid: APPID,
  mch_id: MCHID,
  nonce_str: "TeqClE3i0mvn3DrK",
  out_refund_no_0: "1415701182",
  out_trade_no: "1415757673",
  refund_count: "1",
  refund_fee_0: "1",
  refund_id_0: "2008450740201411110000174436",
  refund_status_0: "PROCESSING",
  result_code: "SUCCESS",
  return_code: "SUCCESS",
  return_msg: "OK",
  transaction_id: "1008450740201411110005820873",
};

describe("queryOrderV2 (查询订单)", () => {
  it("reads the documented answer and asks by transaction_id, signed", async () => {
    gateway.reply(() => documented(ORDER_ANSWER));
    const result = await queryOrderV2(creds, { transactionId: "1008450740201411110005820873" }, options());
    expect(result).toEqual({
      ok: true,
      value: {
        out_trade_no: "1415757673",
        transaction_id: "1008450740201411110005820873",
        trade_state: "SUCCESS",
        openid: "oUpF8uN95-Ptaags6E_roPHg7AG0",
        total_fee: 1,
        fee_type: "CNY",
        attach: "订单额外描述",
        time_end: "20141111170043",
      },
    });
    const request = gateway.seen[0]!;
    expect(request.path).toBe("/pay/orderquery");
    const sent = parseXml(request.body);
    expect(sent.ok && sent.value).toMatchObject({
      appid: APPID,
      mch_id: MCHID,
      transaction_id: "1008450740201411110005820873",
    });
    expect(sent.ok && sent.value.out_trade_no).toBeUndefined();
  });

  it("maps ORDERNOTEXIST onto the console's not-found code, keeping WeChat's in the detail", async () => {
    const { transaction_id: _t, trade_state: _s, ...rest } = ORDER_ANSWER;
    gateway.reply(() =>
      documented({ ...rest, result_code: "FAIL", err_code: "ORDERNOTEXIST", err_code_des: "此交易订单号不存在" }),
    );
    const result = await queryOrderV2(creds, { outTradeNo: "1415757673" }, options());
    expect(result).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
    expect(!result.ok && result.error.detail).toContain("ORDERNOTEXIST");
  });

  it("refuses an answer about another order", async () => {
    gateway.reply(() => documented({ ...ORDER_ANSWER, out_trade_no: "999" }));
    const result = await queryOrderV2(creds, { outTradeNo: "1415757673" }, options());
    expect(result).toMatchObject({ ok: false, error: { code: "UNEXPECTED_RESPONSE" } });
  });
});

describe("listRefundsV2 (查询退款 by transaction_id)", () => {
  it("reads the documented answer's `_$n` refunds", async () => {
    gateway.reply(() => documented(REFUND_ANSWER));
    const result = await listRefundsV2(creds, { transactionId: "1008450740201411110005820873" }, options());
    expect(result).toEqual({
      ok: true,
      value: [
        {
          out_refund_no: "1415701182",
          refund_id: "2008450740201411110000174436",
          refund_fee: 1,
          refund_status: "PROCESSING",
          status: "PROCESSING",
        },
      ],
    });
  });

  it("reads several refunds, each status mapped (REFUNDCLOSE → CLOSED, CHANGE → ABNORMAL)", async () => {
    gateway.reply(() =>
      documented({
        ...REFUND_ANSWER,
        refund_count: "3",
        refund_status_0: "SUCCESS",
        refund_success_time_0: "2014-11-11 17:10:43",
        out_refund_no_1: "R2",
        refund_id_1: "2008450740201411110000174437",
        refund_fee_1: "2",
        refund_status_1: "REFUNDCLOSE",
        out_refund_no_2: "R3",
        refund_id_2: "2008450740201411110000174438",
        refund_fee_2: "3",
        refund_status_2: "CHANGE",
      }),
    );
    const result = await listRefundsV2(creds, { transactionId: "1008450740201411110005820873" }, options());
    expect(result.ok && result.value.map((r) => [r.out_refund_no, r.refund_fee, r.status])).toEqual([
      ["1415701182", 1, "SUCCESS"],
      ["R2", 2, "CLOSED"],
      ["R3", 3, "ABNORMAL"],
    ]);
    expect(result.ok && result.value[0]?.refund_success_time).toBe("2014-11-11 17:10:43");
  });

  it("takes REFUNDNOTEXIST as no refund at all", async () => {
    gateway.reply(() =>
      documented({
        return_code: "SUCCESS",
        appid: APPID,
        mch_id: MCHID,
        nonce_str: "x",
        result_code: "FAIL",
        err_code: "REFUNDNOTEXIST",
        err_code_des: "退款订单查询失败",
      }),
    );
    expect(await listRefundsV2(creds, { transactionId: "1008450740201411110005820873" }, options())).toEqual({
      ok: true,
      value: [],
    });
  });

  it("refuses an entry without its amount rather than guess it", async () => {
    const { refund_fee_0: _fee, ...rest } = REFUND_ANSWER;
    gateway.reply(() => documented(rest));
    const result = await listRefundsV2(creds, { transactionId: "1008450740201411110005820873" }, options());
    expect(result).toMatchObject({ ok: false, error: { code: "UNEXPECTED_RESPONSE" } });
  });
});
