import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyRefundV2, queryRefundV2, type V2Credentials, type V2RefundRequest } from "./client";
import { makeTestPki, startGateway, type GatewayReply, type TestGateway, type TestPki } from "./fixtures/tls-gateway";
import { signV2, verifySign, type V2SignType } from "./sign";
import { buildXml, parseXml } from "./xml";

const MCHID = "1900000109";
const API_KEY = "TestOnlyV2Key_NotReal_0123456789";
const REFUND: V2RefundRequest = { outTradeNo: "1415757673", outRefundNo: "R1", totalFee: 10000, refundFee: 2500 };

let pki: TestPki;
let gateway: TestGateway;
let creds: V2Credentials;
const options = () => ({ ca: pki.caPem, timeoutMs: 2000, nonce: () => "5K8264ILTKCH16CQ2502SI8ZNMTM67VS" });

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
  creds = {
    mchid: MCHID,
    appid: "wx2421b1c4370ec43b",
    apiKey: API_KEY,
    signType: "MD5",
    p12: pki.clientP12,
    baseUrl: gateway.baseUrl,
  };
});

/** A WeChat answer signed (or not) with the test key. */
function answer(fields: Record<string, string>, signType: V2SignType = "MD5", key = API_KEY): GatewayReply {
  const all = {
    return_code: "SUCCESS",
    return_msg: "OK",
    appid: "wx2421b1c4370ec43b",
    mch_id: MCHID,
    nonce_str: "NfsMFbUFpdbEhPXP",
    ...fields,
  };
  const xml = buildXml({ ...all, sign: signV2(all, key, signType) });
  return { body: xml.ok ? xml.value : "" };
}

const ACCEPTED = {
  result_code: "SUCCESS",
  transaction_id: "1008450740201411110005820873",
  out_trade_no: "1415757673",
  out_refund_no: "R1",
  refund_id: "2008450740201411110000174436",
  refund_channel: "",
  refund_fee: "2500",
  total_fee: "10000",
  cash_fee: "10000",
};

describe("applyRefundV2 over mutual TLS", () => {
  it("presents the client certificate, signs the request and reads the verified answer", async () => {
    gateway.reply(() => answer(ACCEPTED));
    const r = await applyRefundV2(
      creds,
      { ...REFUND, refundDesc: "商品已售完", notifyUrl: "https://example.com/notify" },
      options(),
    );

    expect(r.ok && r.value).toEqual({
      ...ACCEPTED,
      result_code: undefined,
      refund_channel: undefined,
      refund_fee: 2500,
      total_fee: 10000,
      cash_fee: 10000,
    });
    const [seen] = gateway.seen;
    expect(seen?.path).toBe("/secapi/pay/refund");
    expect(seen?.clientCn).toBe(MCHID);
    const sent = parseXml(seen?.body ?? "");
    expect(sent.ok && verifySign(sent.value, API_KEY, "MD5")).toBe(true);
    expect(sent.ok && { ...sent.value, sign: undefined }).toEqual({
      appid: "wx2421b1c4370ec43b",
      mch_id: MCHID,
      nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
      out_trade_no: "1415757673",
      out_refund_no: "R1",
      total_fee: "10000",
      refund_fee: "2500",
      refund_fee_type: "CNY",
      refund_desc: "商品已售完",
      notify_url: "https://example.com/notify",
      op_user_id: MCHID, // defaults to the mchid
      sign: undefined,
    });
  });

  it("uses HMAC-SHA256 both ways when configured, and signals it with sign_type", async () => {
    gateway.reply(() => answer(ACCEPTED, "HMAC-SHA256"));
    const r = await applyRefundV2({ ...creds, signType: "HMAC-SHA256" }, REFUND, options());
    expect(r.ok).toBe(true);
    const sent = parseXml(gateway.seen[0]?.body ?? "");
    expect(sent.ok && sent.value.sign_type).toBe("HMAC-SHA256");
    expect(sent.ok && verifySign(sent.value, API_KEY, "HMAC-SHA256")).toBe(true);
  });

  it("sends the service-provider fields", async () => {
    gateway.reply(() => answer(ACCEPTED));
    await applyRefundV2({ ...creds, subMchid: "1900000110", subAppid: "wx1" }, REFUND, options());
    const sent = parseXml(gateway.seen[0]?.body ?? "");
    expect(sent.ok && [sent.value.sub_mch_id, sent.value.sub_appid]).toEqual(["1900000110", "wx1"]);
  });

  it.each<[string, string, string, string]>([
    ["NOTENOUGH", "基本账户余额不足，请充值后重新发起", "NOT_ENOUGH", "final"],
    ["SYSTEMERROR", "系统超时", "SYSTEM_ERROR", "retry"],
    ["BIZERR_NEED_RETRY", "退款业务流程错误，需要商户触发重试来解决", "BIZ_ERR_NEED_RETRY", "retry"],
    ["ERROR", "申请退款金额超过订单可退金额", "INVALID_REQUEST", "final"],
    ["ORDERNOTEXIST", "订单号不存在", "RESOURCE_NOT_EXISTS", "final"],
    ["INVALID_REQ_TOO_MUCH", "无效请求过多", "FREQUENCY_LIMITED", "retry"],
    ["FREQUENCY_LIMITED", "频率限制", "FREQUENCY_LIMITED", "retry"],
    ["USER_ACCOUNT_ABNORMAL", "退款请求失败", "USER_ACCOUNT_ABNORMAL", "final"],
    ["INVALID_TRANSACTIONID", "无效transaction_id", "INVALID_TRANSACTIONID", "final"],
    ["PARAM_ERROR", "参数错误", "PARAM_ERROR", "final"],
    ["APPID_NOT_EXIST", "APPID不存在", "APPID_NOT_EXIST", "final"],
    ["MCHID_NOT_EXIST", "MCHID不存在", "MCH_NOT_EXISTS", "final"],
    ["ORDERPAID", "订单已全额退款", "ORDERPAID", "final"],
    ["SIGNERROR", "签名错误", "SIGN_ERROR", "final"],
    ["XML_FORMAT_ERROR", "XML格式错误", "XML_FORMAT_ERROR", "final"],
    ["REQUIRE_POST_METHOD", "请使用post方法", "REQUIRE_POST_METHOD", "final"],
    ["POST_DATA_EMPTY", "post数据为空", "POST_DATA_EMPTY", "final"],
    ["NOT_UTF8", "编码格式错误", "NOT_UTF8", "final"],
    ["REFUND_FEE_MISMATCH", "订单金额或退款金额与之前请求不一致，请核实后再试", "INVALID_REQUEST", "final"],
    ["SOMETHING_NEW", "?", "SOMETHING_NEW", "final"],
  ])("signed err_code %s → %s (%s), WeChat's words kept", async (errCode, des, code, advice) => {
    gateway.reply(() => answer({ result_code: "FAIL", err_code: errCode, err_code_des: des }));
    const r = await applyRefundV2(creds, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ kind: "business", code, advice });
    expect(!r.ok && r.error.detail).toContain(errCode);
    expect(!r.ok && r.error.detail).toContain(des);
  });

  it.each<[string, string]>([
    ["签名错误", "SIGN_ERROR"],
    ["参数格式校验错误", "PARAM_ERROR"],
    ["invalid refund_fee", "PARAM_ERROR"],
    ["XML格式错误", "XML_FORMAT_ERROR"],
    ["something else", "INVALID_REQUEST"],
  ])("return_code FAIL %s → %s", async (msg, code) => {
    const xml = buildXml({ return_code: "FAIL", return_msg: msg });
    gateway.reply(() => ({ body: xml.ok ? xml.value : "" }));
    const r = await applyRefundV2(creds, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ kind: "business", code });
    expect(!r.ok && r.error.detail).toContain(msg);
  });

  it.each<[string, () => GatewayReply]>([
    ["signed with another key", () => answer(ACCEPTED, "MD5", "0".repeat(32))],
    ["signed with the other algorithm", () => answer(ACCEPTED, "HMAC-SHA256")],
    ["a forged NOTENOUGH", () => answer({ result_code: "FAIL", err_code: "NOTENOUGH" }, "MD5", "x")],
    [
      "no sign at all",
      () => ({ body: "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>" }),
    ],
    [
      "a field changed after signing",
      () => {
        const a = answer(ACCEPTED) as { body: string };
        return { body: a.body.replace("<![CDATA[2500]]>", "<![CDATA[25000]]>") };
      },
    ],
  ])("refuses an answer %s → SIGNATURE_INVALID (advice unknown)", async (_, reply) => {
    gateway.reply(reply);
    const r = await applyRefundV2(creds, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ kind: "verification", code: "SIGNATURE_INVALID", advice: "unknown" });
  });

  it.each<[string, () => GatewayReply]>([
    ["about another refund", () => answer({ ...ACCEPTED, out_refund_no: "R2" })],
    ["with another amount", () => answer({ ...ACCEPTED, refund_fee: "1" })],
    ["for another merchant", () => answer({ ...ACCEPTED, mch_id: "1900000999" })],
    ["without refund_id", () => answer({ ...ACCEPTED, refund_id: "" })],
    ["with a non-integer amount", () => answer({ ...ACCEPTED, refund_fee: "25.00" })],
    ["that is not XML", () => ({ body: "<html>502 Bad Gateway</html>" })],
    ["with a DTD", () => ({ body: '<!DOCTYPE xml [<!ENTITY x "y">]><xml/>' })],
    ["larger than 64 KiB", () => ({ body: `<xml><a>${"x".repeat(70_000)}</a></xml>` })],
    ["with HTTP 502", () => ({ status: 502, body: "" })],
  ])("an answer %s → UNEXPECTED_RESPONSE (advice unknown)", async (_, reply) => {
    gateway.reply(reply);
    const r = await applyRefundV2(creds, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ code: "UNEXPECTED_RESPONSE", advice: "unknown" });
  });

  it("a gateway that never answers → TIMEOUT (advice unknown)", async () => {
    gateway.reply(() => "hang");
    const started = Date.now();
    const r = await applyRefundV2(creds, REFUND, { ...options(), timeoutMs: 300 });
    expect(!r.ok && r.error).toMatchObject({ kind: "network", code: "TIMEOUT", advice: "unknown" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a connection dropped after the request was sent → CONNECTION_RESET (advice unknown)", async () => {
    gateway.reply(() => "reset");
    const r = await applyRefundV2(creds, REFUND, options());
    expect(gateway.seen).toHaveLength(1);
    expect(!r.ok && r.error).toMatchObject({ kind: "network", code: "CONNECTION_RESET", advice: "unknown" });
  });

  it("a refused connection → CONNECTION_FAILED (advice retry)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const r = await applyRefundV2({ ...creds, baseUrl: `https://127.0.0.1:${port}` }, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ kind: "network", code: "CONNECTION_FAILED", advice: "retry" });
  });

  it("a server certificate from an unknown CA → CONNECTION_FAILED, nothing sent", async () => {
    gateway.reply(() => answer(ACCEPTED));
    const r = await applyRefundV2(creds, REFUND, { timeoutMs: 2000 });
    expect(!r.ok && r.error.code).toBe("CONNECTION_FAILED");
    expect(gateway.seen).toHaveLength(0);
  });
});

describe("applyRefundV2 refuses before sending", () => {
  it.each<[string, Partial<V2Credentials>, V2RefundRequest, string]>([
    ["no certificate", { p12: undefined }, REFUND, "CONFIG_MISSING"],
    ["a wrong certificate password", { p12Password: "nope" }, REFUND, "CLIENT_CERT_INVALID"],
    ["a non-certificate", { p12: Buffer.from("not a p12") }, REFUND, "CLIENT_CERT_INVALID"],
    ["an http base URL", { baseUrl: "http://127.0.0.1:1" }, REFUND, "CONFIG_INVALID"],
    ["an empty API key", { apiKey: "" }, REFUND, "CONFIG_MISSING"],
    ["a refund above the total", {}, { ...REFUND, refundFee: 10001 }, "REQUEST_INVALID"],
    ["a fractional amount", {}, { ...REFUND, refundFee: 12.5 }, "REQUEST_INVALID"],
    ["no order number", {}, { outRefundNo: "R1", totalFee: 1, refundFee: 1 }, "REQUEST_INVALID"],
    ["a refund number with spaces", {}, { ...REFUND, outRefundNo: "R 1" }, "REQUEST_INVALID"],
    ["a notify_url with a query", {}, { ...REFUND, notifyUrl: "https://example.com/n?x=1" }, "REQUEST_INVALID"],
    ["a refund_desc XML cannot carry", {}, { ...REFUND, refundDesc: "a\u0000b" }, "REQUEST_INVALID"],
  ])("%s → %s", async (_, change, request, code) => {
    gateway.reply(() => answer(ACCEPTED));
    const r = await applyRefundV2({ ...creds, ...change }, request, options());
    expect(!r.ok && r.error.code).toBe(code);
    expect(gateway.seen).toHaveLength(0);
  });

  it("explains the legacy RC2-40 certificate that OpenSSL 3 refuses", async () => {
    const r = await applyRefundV2({ ...creds, p12: pki.legacyP12 }, REFUND, options());
    expect(!r.ok && r.error).toMatchObject({ kind: "config", code: "CLIENT_CERT_INVALID" });
    expect(!r.ok && r.error.detail).toMatch(/-legacy/);
  });
});

const QUERIED = {
  result_code: "SUCCESS",
  transaction_id: "4200001129202110241149712934",
  out_trade_no: "201210240000009",
  total_fee: "10000",
  cash_fee: "10000",
  refund_count: "2",
  out_refund_no_0: "R0",
  refund_id_0: "50301610212021102413673348171",
  refund_fee_0: "100",
  refund_status_0: "SUCCESS",
  out_refund_no_1: "R1",
  refund_id_1: "50301610212021102413673348172",
  refund_fee_1: "2500",
  refund_status_1: "SUCCESS",
  refund_channel_1: "ORIGINAL",
  refund_account_1: "REFUND_SOURCE_RECHARGE_FUNDS",
  refund_recv_accout_1: "支付用户零钱",
  refund_success_time_1: "2021-10-24 18:30:07",
};

describe("queryRefundV2", () => {
  it("queries by out_refund_no and returns that refund's entry", async () => {
    gateway.reply(() => answer(QUERIED));
    const r = await queryRefundV2(creds, { outRefundNo: "R1" }, options());
    expect(gateway.seen[0]?.path).toBe("/pay/refundquery");
    expect(r.ok && r.value).toMatchObject({ total_fee: 10000, refund_count: 2 });
    expect(r.ok && r.value.refund).toEqual({
      out_refund_no: "R1",
      refund_id: "50301610212021102413673348172",
      refund_fee: 2500,
      refund_status: "SUCCESS",
      status: "SUCCESS",
      refund_channel: "ORIGINAL",
      refund_account: "REFUND_SOURCE_RECHARGE_FUNDS",
      refund_recv_accout: "支付用户零钱",
      refund_success_time: "2021-10-24 18:30:07",
    });
  });

  it.each<[string, string]>([
    ["PROCESSING", "PROCESSING"],
    ["CHANGE", "ABNORMAL"],
    ["REFUNDCLOSE", "CLOSED"],
  ])("maps refund_status %s → %s", async (v2, common) => {
    gateway.reply(() => answer({ ...QUERIED, refund_status_1: v2 }));
    const r = await queryRefundV2(creds, { outRefundNo: "R1" }, options());
    expect(r.ok && r.value.refund.status).toBe(common);
  });

  it("REFUNDNOTEXIST → RESOURCE_NOT_EXISTS", async () => {
    gateway.reply(() => answer({ result_code: "FAIL", err_code: "REFUNDNOTEXIST", err_code_des: "not exist" }));
    const r = await queryRefundV2(creds, { outRefundNo: "R1" }, options());
    expect(!r.ok && r.error).toMatchObject({ code: "RESOURCE_NOT_EXISTS", advice: "final" });
  });

  it.each<[string, Record<string, string>]>([
    ["lists another refund only", { ...QUERIED, out_refund_no_1: "R9" }],
    ["has an unknown status", { ...QUERIED, refund_status_1: "DONE" }],
    ["has a bad refund_count", { ...QUERIED, refund_count: "x" }],
  ])("an answer that %s → UNEXPECTED_RESPONSE", async (_, fields) => {
    gateway.reply(() => answer(fields));
    const r = await queryRefundV2(creds, { outRefundNo: "R1" }, options());
    expect(!r.ok && r.error.code).toBe("UNEXPECTED_RESPONSE");
  });

  it("refuses a forged answer", async () => {
    gateway.reply(() => answer(QUERIED, "MD5", "forger"));
    const r = await queryRefundV2(creds, { outRefundNo: "R1" }, options());
    expect(!r.ok && r.error.code).toBe("SIGNATURE_INVALID");
  });
});
