import { describe, expect, it } from "vitest";
import derived from "./fixtures/DERIVED.v2_refund_notify_req_info.json";
import {
  buildRefundNotification,
  decryptRefundNotification,
  failAnswer,
  parseNotificationAnswer,
  parseRefundNotification,
  parseRefundNotificationEnvelope,
  successAnswer,
  toCommonRefundStatus,
  type V2RefundStatus,
} from "./notification";
import type { RefundReqInfo } from "./reqinfo";
import { parseXml } from "./xml";

const MERCHANT = { mchid: "10000100", apiKey: derived.apiv2_key };

describe("toCommonRefundStatus", () => {
  it.each<[V2RefundStatus, string]>([
    ["SUCCESS", "SUCCESS"],
    ["CHANGE", "ABNORMAL"],
    ["REFUNDCLOSE", "CLOSED"],
    ["PROCESSING", "PROCESSING"],
  ])("%s → %s", (v2, common) => {
    expect(toCommonRefundStatus(v2)).toBe(common);
  });
});

describe("parseRefundNotification", () => {
  it("opens the derived notification vector", () => {
    const r = parseRefundNotification(derived.notification_xml, MERCHANT);
    expect(r.ok && r.value).toMatchObject({
      appid: "wx2421b1c4370ec43b",
      mch_id: "10000100",
      status: "SUCCESS",
      refund: { out_refund_no: "131811191610442717309", refund_fee: 3960, refund_status: "SUCCESS" },
    });
  });

  it("accepts the body as bytes", () => {
    expect(parseRefundNotification(Buffer.from(derived.notification_xml), MERCHANT).ok).toBe(true);
  });

  it("lets a multi-merchant console read mch_id before choosing the key", () => {
    const envelope = parseRefundNotificationEnvelope(derived.notification_xml);
    expect(envelope.ok && envelope.value.mch_id).toBe("10000100");
    const opened = envelope.ok ? decryptRefundNotification(envelope.value, derived.apiv2_key) : envelope;
    expect(opened.ok && opened.value.refund.transaction_id).toBe("4200000215201811190261405420");
  });

  it.each<[string, string, string]>([
    ["a notification for another merchant", derived.notification_xml.replace("10000100", "10000200"), "MALFORMED"],
    ["return_code FAIL", "<xml><return_code>FAIL</return_code><return_msg>签名失败</return_msg></xml>", "SIGN_ERROR"],
    ["no req_info", derived.notification_xml.replace(/<req_info>.*<\/req_info>/, ""), "MALFORMED"],
    [
      "an unknown return_code",
      derived.notification_xml.replace("<return_code>SUCCESS", "<return_code>MAYBE"),
      "MALFORMED",
    ],
    [
      "a truncated req_info",
      derived.notification_xml.replace(/(<req_info><!\[CDATA\[.{40}).*?]]>/, "$1]]>"),
      "REQ_INFO_LENGTH_INVALID",
    ],
    ["a non-base64 req_info", derived.notification_xml.replace("<![CDATA[q5y5", "<![CDATA[**y5"), "NOT_BASE64"],
    [
      "a DTD",
      `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${derived.notification_xml}`,
      "XML_DTD_FORBIDDEN",
    ],
    ["an oversized body", `<xml><a>${"x".repeat(70_000)}</a></xml>`, "BODY_TOO_LARGE"],
    ["a JSON (APIv3) body", '{"id":"EV-1","resource":{}}', "MALFORMED"],
  ])("refuses %s → %s", (_, body, code) => {
    const r = parseRefundNotification(body, MERCHANT);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it("refuses the right envelope with the wrong key", () => {
    const r = parseRefundNotification(derived.notification_xml, { ...MERCHANT, apiKey: "0".repeat(32) });
    expect(!r.ok && r.error).toMatchObject({ kind: "decryption", code: "REQ_INFO_DECRYPT_FAILED" });
  });
});

describe("answers to WeChat", () => {
  it("successAnswer is the documented body", () => {
    expect(successAnswer()).toBe(derived.success_reply_xml);
  });

  it("failAnswer carries the message", () => {
    expect(failAnswer("解密失败")).toBe(
      "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[解密失败]]></return_msg></xml>",
    );
  });

  it("failAnswer stays well-formed with hostile text and is cut to 128 characters", () => {
    const answer = parseNotificationAnswer(failAnswer(`]]><x>\u0000${"长".repeat(300)}`));
    expect(answer.ok && answer.value.return_code).toBe("FAIL");
    expect(answer.ok && Array.from(answer.value.return_msg ?? "")).toHaveLength(128);
  });

  it.each([
    [successAnswer(), "SUCCESS"],
    ["<xml><return_code>FAIL</return_code></xml>", "FAIL"],
  ])("parseNotificationAnswer reads %s", (body, code) => {
    const r = parseNotificationAnswer(body);
    expect(r.ok && r.value.return_code).toBe(code);
  });

  it("parseNotificationAnswer refuses anything else", () => {
    expect(parseNotificationAnswer("success").ok).toBe(false);
    expect(parseNotificationAnswer("<xml><return_code>OK</return_code></xml>").ok).toBe(false);
  });
});

describe("buildRefundNotification (simulator side)", () => {
  const refund: RefundReqInfo = {
    out_refund_no: "R1",
    out_trade_no: "T1",
    refund_id: "50000000382019052709732678859",
    transaction_id: "4200000215201811190261405420",
    total_fee: 100,
    refund_fee: 100,
    settlement_refund_fee: 100,
    refund_status: "REFUNDCLOSE",
    refund_recv_accout: "支付用户零钱",
    refund_account: "REFUND_SOURCE_UNSETTLED_FUNDS",
    refund_request_source: "API",
  };

  it("builds a body the console opens back to the same refund", () => {
    const body = buildRefundNotification({
      appid: "wx1",
      mch_id: "10000100",
      apiKey: MERCHANT.apiKey,
      refund,
      nonce_str: "N",
    });
    const opened = body.ok ? parseRefundNotification(body.value, MERCHANT) : body;
    expect(opened.ok && opened.value).toEqual({ appid: "wx1", mch_id: "10000100", refund, status: "CLOSED" });
  });

  it("has the documented envelope fields and no sign", () => {
    const body = buildRefundNotification({
      appid: "wx1",
      mch_id: "10000100",
      sub_appid: "wx2",
      sub_mch_id: "1900000109",
      apiKey: MERCHANT.apiKey,
      refund,
    });
    const fields = body.ok ? parseXml(body.value) : body;
    expect(fields.ok && Object.keys(fields.value)).toEqual([
      "return_code",
      "appid",
      "mch_id",
      "sub_appid",
      "sub_mch_id",
      "nonce_str",
      "req_info",
    ]);
    expect(fields.ok && fields.value.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("refuses a refund the console would refuse", () => {
    const body = buildRefundNotification({
      appid: "wx1",
      mch_id: "1",
      apiKey: "k",
      refund: { ...refund, total_fee: -5 },
    });
    expect(!body.ok && body.error.code).toBe("MALFORMED");
  });
});
