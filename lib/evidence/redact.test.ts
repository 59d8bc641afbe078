import { describe, expect, it } from "vitest";
import {
  ENCRYPTED,
  REDACTED,
  maskAccount,
  maskName,
  maskOpenid,
  redactBody,
  redactJson,
  requestHeaders,
  responseHeaders,
  scrubText,
} from "./redact";

const API_V3_KEY = "0123456789abcdef0123456789ABCDEF";
const CIPHERTEXT = "A".repeat(340) + "==";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

describe("redactJson", () => {
  it.each<[string, unknown, unknown]>([
    [
      "keeps business fields",
      { out_refund_no: "R1", amount: { refund: 300, total: 1000 } },
      { out_refund_no: "R1", amount: { refund: 300, total: 1000 } },
    ],
    [
      "removes an APIv2 sign",
      { return_code: "SUCCESS", sign: "C380BEC2BFD727A4B6845133519F3AD6" },
      { return_code: "SUCCESS", sign: REDACTED },
    ],
    [
      "removes signatures by any spelling",
      { "Wechatpay-Signature": "abc", paySign: "x" },
      { "Wechatpay-Signature": REDACTED, paySign: REDACTED },
    ],
    [
      "removes an Authorization header",
      { Authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1"' },
      { Authorization: REDACTED },
    ],
    [
      "removes keys and passwords",
      { api_key: "k", apiV3Key: "k", private_key: "k", p12_password: "1900000109" },
      { api_key: REDACTED, apiV3Key: REDACTED, private_key: REDACTED, p12_password: REDACTED },
    ],
    [
      "removes encrypted resources",
      { resource: { algorithm: "AEAD_AES_256_GCM", ciphertext: "Zm9v", nonce: "n" } },
      { resource: { algorithm: "AEAD_AES_256_GCM", ciphertext: REDACTED, nonce: "n" } },
    ],
    ["masks a plain bank account", { bank_account: "6214830901234567" }, { bank_account: "************4567" }],
    [
      "hides an encrypted bank account and name",
      { bank_account: CIPHERTEXT, real_name: CIPHERTEXT },
      { bank_account: ENCRYPTED, real_name: ENCRYPTED },
    ],
    ["masks a real name", { realName: "张三丰" }, { realName: "**丰" }],
    [
      "masks openids at any depth",
      { payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }, list: [{ sp_openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }] },
      { payer: { openid: "oUpF****eS6o" }, list: [{ sp_openid: "oUpF****eS6o" }] },
    ],
    ["masks an account given as a number", { bank_account: 6214830901234567 }, { bank_account: "************4567" }],
    [
      "scrubs a private key inside free text",
      { detail: `bad key ${PEM} here` },
      { detail: `bad key ${REDACTED} here` },
    ],
    ["keeps empty secret fields visibly empty", { sign: "" }, { sign: "" }],
    [
      "redacting twice changes nothing",
      { bank_account: ENCRYPTED, real_name: "*三", sign: REDACTED, openid: "oUpF****eS6o" },
      { bank_account: ENCRYPTED, real_name: "*三", sign: REDACTED, openid: "oUpF****eS6o" },
    ],
    [
      "keeps the masked account WeChat already shows",
      { user_received_account: "招商银行信用卡0403" },
      { user_received_account: "招商银行信用卡0403" },
    ],
  ])("%s", (_name, input, expected) => {
    expect(redactJson(input)).toEqual(expected);
  });

  it("masks where the money went for a read-only viewer, and only then", () => {
    const resource = {
      out_refund_no: "R1",
      user_received_account: "招商银行信用卡0403",
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    };
    expect(redactJson(resource, { forViewer: true })).toEqual({
      out_refund_no: "R1",
      user_received_account: "*******0403",
      payer: { openid: "oUpF****eS6o" },
    });
    expect(redactJson(resource)).toMatchObject({ user_received_account: "招商银行信用卡0403" });
  });

  it("removes the caller's known secrets wherever they appear", () => {
    expect(
      redactJson({ message: `key ${API_V3_KEY} rejected`, nested: [API_V3_KEY] }, { secrets: [API_V3_KEY, undefined] }),
    ).toEqual({
      message: `key ${REDACTED} rejected`,
      nested: [REDACTED],
    });
  });
});

describe("masks", () => {
  it.each<[(v: string) => string, string, string]>([
    [maskAccount, "6214830901234567", "************4567"],
    [maskAccount, "6214 8309 0123 4567", "************4567"],
    [maskAccount, "123", "***"],
    [maskName, "张三", "*三"],
    [maskName, "李", "*"],
    [maskOpenid, "oUpF8uMu", "********"],
  ])("%o(%s) = %s", (mask, input, expected) => {
    expect(mask(input)).toBe(expected);
  });
});

describe("redactBody", () => {
  it.each<[string, string | undefined, unknown]>([
    ["an empty body is null", "", null],
    ["a GET has no body", undefined, null],
    ["JSON is parsed and redacted", '{"code":"PARAM_ERROR","sign":"x"}', { code: "PARAM_ERROR", sign: REDACTED }],
    ["other text is kept as text, scrubbed", `<html>${PEM}</html>`, { text: `<html>${REDACTED}</html>` }],
  ])("%s", (_name, input, expected) => {
    expect(redactBody(input)).toEqual(expected);
  });

  it("cuts long text and says how long it was", () => {
    expect(redactBody("x".repeat(10_000))).toEqual({ text: "x".repeat(4_000), truncatedFrom: 10_000 });
  });
});

describe("headers", () => {
  it("keeps no Authorization and no signature", () => {
    const sent = {
      Authorization: "WECHATPAY2-SHA256-RSA2048 x",
      "Content-Type": "application/json",
      "Wechatpay-Serial": "PUB_KEY_ID_1",
      "User-Agent": "ua",
    };
    expect(requestHeaders(sent)).toEqual({ "content-type": "application/json", "wechatpay-serial": "PUB_KEY_ID_1" });
    const answered = new Headers({
      "Request-ID": "08F7",
      "Wechatpay-Signature": "sig",
      "Wechatpay-Nonce": "n",
      "Wechatpay-Serial": "S",
    });
    expect(responseHeaders(answered)).toEqual({ "request-id": "08F7", "wechatpay-serial": "S" });
  });

  it("scrubText removes Authorization values", () => {
    expect(scrubText('sent WECHATPAY2-SHA256-RSA2048 mchid="1",signature="abc"')).toBe(`sent ${REDACTED}`);
  });
});
