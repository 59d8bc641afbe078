import { describe, expect, it, vi } from "vitest";
import { encryptResource } from "./aead";
import derived from "./fixtures/DERIVED.refund_notification_v3.json";
import { axiosKey, goKey } from "./fixtures/keys";
import goNotify from "./fixtures/wechatpay-go.notify_test.json";
import {
  buildNotification,
  MAX_NOTIFICATION_BYTES,
  openNotification,
  parseRefundNotification,
  parseTransactionNotification,
  type NotificationDraft,
} from "./notification";
import { signResponse, type KeyResolver } from "./verify";
import { beijingIso } from "../../beijing-time";

const keys: KeyResolver = async (serial) =>
  ({
    [axiosKey.serial]: axiosKey.publicKey,
    [axiosKey.publicKeyId]: axiosKey.publicKey,
    [goNotify.headers["Wechatpay-Serial"]]: goKey.publicKey,
  })[serial];
const apiV3Key = derived.apiv3_key;
const now = () => derived.now_unix * 1000;
const signer = { privateKey: axiosKey.privateKey, serial: axiosKey.serial };
const timestamp = String(derived.now_unix);
const expectedRefund = JSON.parse(derived.expected_plaintext);

/** Signs an arbitrary body as WeChat would, so that only what comes after the signature check is under test. */
function signed(body: string) {
  const headers = signResponse({ body, ...signer, timestamp });
  if (!headers.ok) throw new Error("cannot sign");
  return { headers: headers.value, rawBody: body };
}

function built(draft: Partial<NotificationDraft> & Pick<NotificationDraft, "eventType" | "originalType" | "resource">) {
  const result = buildNotification({ summary: "test", apiV3Key, signer, timestamp, ...draft });
  if (!result.ok) throw new Error(result.error.detail);
  return { headers: result.value.headers, rawBody: result.value.body };
}

describe("parseRefundNotification known answers", () => {
  it.each([
    ["platform certificate mode", derived.headers_platform_cert_mode],
    ["WeChat Pay public key mode", derived.headers_public_key_mode],
  ])("opens the DERIVED REFUND.SUCCESS callback in %s", async (_name, headers) => {
    const result = await parseRefundNotification({ headers, rawBody: derived.body }, keys, apiV3Key, { now });
    expect(result).toMatchObject({
      ok: true,
      value: {
        id: "EV-2018022511223320873",
        eventType: "REFUND.SUCCESS",
        summary: "退款成功",
        resource: expectedRefund,
      },
    });
  });

  it("accepts the raw body as bytes", async () => {
    const input = { headers: derived.headers_platform_cert_mode, rawBody: Buffer.from(derived.body) };
    expect((await parseRefundNotification(input, keys, apiV3Key, { now })).ok).toBe(true);
  });

  it("opens wechatpay-go's PAYSCORE callback generically (16-byte key), and refuses it as a refund", async () => {
    const input = { headers: goNotify.headers, rawBody: goNotify.body };
    const options = { now: () => goNotify.now_unix * 1000 };
    const opened = await openNotification(input, keys, goNotify.apiv3_key, options);
    expect(opened.ok && opened.value.plaintext).toBe(goNotify.expected_plaintext);
    expect(await parseRefundNotification(input, keys, goNotify.apiv3_key, options)).toMatchObject({
      ok: false,
      error: { code: "UNEXPECTED_EVENT_TYPE" },
    });
  });

  it("reads a partner-mode refund (sp_mchid + sub_mchid)", async () => {
    const { mchid: _mchid, ...rest } = expectedRefund;
    const resource = { sp_mchid: "1900000100", sub_mchid: "1900000109", ...rest, refund_status: "ABNORMAL" };
    delete resource.success_time;
    const result = await parseRefundNotification(
      built({ eventType: "REFUND.ABNORMAL", originalType: "refund", resource }),
      keys,
      apiV3Key,
      { now },
    );
    expect(result).toMatchObject({
      ok: true,
      value: { resource: { sub_mchid: "1900000109", refund_status: "ABNORMAL" } },
    });
  });
});

describe("buildNotification (gateway side)", () => {
  it("reproduces the DERIVED callback byte for byte", () => {
    const body = JSON.parse(derived.body);
    const result = buildNotification({
      eventType: "REFUND.SUCCESS",
      summary: "退款成功",
      originalType: "refund",
      resource: derived.expected_plaintext,
      apiV3Key,
      signer,
      id: body.id,
      createTime: body.create_time,
      resourceNonce: body.resource.nonce,
      timestamp: derived.headers_platform_cert_mode["Wechatpay-Timestamp"],
      nonce: derived.headers_platform_cert_mode["Wechatpay-Nonce"],
    });
    expect(result).toEqual({ ok: true, value: { body: derived.body, headers: derived.headers_platform_cert_mode } });
  });

  it("makes a TRANSACTION.SUCCESS callback that parses, direct and partner mode", async () => {
    const common = {
      out_trade_no: "1217752501201407033233368018",
      transaction_id: "1217752501201407033233368018",
      trade_type: "JSAPI",
      trade_state: "SUCCESS",
      success_time: "2018-06-08T10:34:56+08:00",
      amount: { total: 100, payer_total: 100, currency: "CNY", payer_currency: "CNY" },
    };
    const direct = {
      mchid: "1230000109",
      appid: "wxd678efh567hg6787",
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
      ...common,
    };
    const partner = {
      sp_mchid: "1230000109",
      sub_mchid: "1900000109",
      sp_appid: "wx8888888888888888",
      payer: { sp_openid: "oUpF8u" },
      ...common,
    };
    for (const resource of [direct, partner]) {
      const input = built({ eventType: "TRANSACTION.SUCCESS", originalType: "transaction", resource });
      expect(await parseTransactionNotification(input, keys, apiV3Key, { now })).toMatchObject({
        ok: true,
        value: { resource },
      });
      expect(await parseRefundNotification(input, keys, apiV3Key, { now })).toMatchObject({
        ok: false,
        error: { code: "UNEXPECTED_EVENT_TYPE" },
      });
    }
  });

  it("writes create_time in Beijing time", () => {
    expect(beijingIso(Date.parse("2018-06-08T02:34:56Z"))).toBe("2018-06-08T10:34:56+08:00");
  });
});

describe("parseRefundNotification refuses hostile input", () => {
  const envelope = JSON.parse(derived.body);
  const withResource = (resource: object) =>
    JSON.stringify({ ...envelope, resource: { ...envelope.resource, ...resource } });
  const refundWith = (changes: object) =>
    built({ eventType: "REFUND.SUCCESS", originalType: "refund", resource: { ...expectedRefund, ...changes } });
  const { mchid: _mchid, ...withoutMchid } = expectedRefund;
  const headers = derived.headers_platform_cert_mode;

  it.each([
    [
      "an oversized body",
      { headers, rawBody: `${derived.body}${" ".repeat(MAX_NOTIFICATION_BYTES)}` },
      "BODY_TOO_LARGE",
    ],
    ["bytes that are not UTF-8", { headers, rawBody: Buffer.from([0x7b, 0xff, 0x7d]) }, "MALFORMED"],
    ["no signature headers, even with bad JSON", { headers: {}, rawBody: "{not json" }, "HEADERS_MISSING"],
    ["an unsigned body that is bad JSON", { headers, rawBody: "{not json" }, "SIGNATURE_INVALID"],
    [
      "the body re-serialised after signing",
      { headers, rawBody: JSON.stringify(envelope, null, 2) },
      "SIGNATURE_INVALID",
    ],
    [
      "the body with keys reordered",
      { headers, rawBody: JSON.stringify({ resource: envelope.resource, ...envelope }) },
      "SIGNATURE_INVALID",
    ],
    [
      "the SIGNTEST probe",
      { headers: { ...headers, "Wechatpay-Signature": derived.probe_variant_signature }, rawBody: derived.body },
      "SIGNATURE_PROBE",
    ],
    [
      "an unknown serial",
      { headers: { ...headers, "Wechatpay-Serial": "0123456789" }, rawBody: derived.body },
      "UNKNOWN_SERIAL",
    ],
    ["signed, but not JSON", signed("{not json"), "MALFORMED"],
    ["signed JSON of the wrong shape", signed(JSON.stringify({ id: "x" })), "MALFORMED"],
    [
      "signed, resource under another algorithm",
      signed(withResource({ algorithm: "AEAD_SM4_GCM" })),
      "UNSUPPORTED_ALGORITHM",
    ],
    ["signed, wrong associated_data", signed(withResource({ associated_data: "transaction" })), "DECRYPTION_FAILED"],
    [
      "signed, truncated ciphertext",
      signed(withResource({ ciphertext: envelope.resource.ciphertext.slice(0, 100) })),
      "DECRYPTION_FAILED",
    ],
    ["signed, ciphertext not base64", signed(withResource({ ciphertext: "!!!!" })), "NOT_BASE64"],
    ["a status the notification does not have", refundWith({ refund_status: "PROCESSING" }), "MALFORMED"],
    ["a negative amount", refundWith({ amount: { ...expectedRefund.amount, refund: -1 } }), "MALFORMED"],
    [
      "neither mchid nor sp_mchid + sub_mchid",
      built({ eventType: "REFUND.SUCCESS", originalType: "refund", resource: withoutMchid }),
      "MALFORMED",
    ],
    [
      "a resource that is not JSON",
      built({ eventType: "REFUND.SUCCESS", originalType: "refund", resource: "<xml/>" }),
      "MALFORMED",
    ],
  ])("%s → %s", async (_name, input, code) => {
    expect(await parseRefundNotification(input, keys, apiV3Key, { now })).toMatchObject({ ok: false, error: { code } });
  });

  it.each([
    ["stale", 301],
    ["from the future", -301],
  ])("refuses a %s callback", async (_name, offset) => {
    const later = () => (derived.now_unix + offset) * 1000;
    expect(
      await parseRefundNotification({ headers, rawBody: derived.body }, keys, apiV3Key, { now: later }),
    ).toMatchObject({
      ok: false,
      error: { code: "TIMESTAMP_SKEW" },
    });
  });

  it("refuses the right callback under the wrong APIv3 key", async () => {
    const result = await parseRefundNotification({ headers, rawBody: derived.body }, keys, "0".repeat(32), { now });
    expect(result).toMatchObject({ ok: false, error: { code: "DECRYPTION_FAILED" } });
  });

  it("checks the size before any other work", async () => {
    const resolve = vi.fn(keys);
    await parseRefundNotification({ headers, rawBody: "x".repeat(MAX_NOTIFICATION_BYTES + 1) }, resolve, apiV3Key, {
      now,
    });
    expect(resolve).not.toHaveBeenCalled();
  });

  it("never decrypts a resource whose envelope signature failed", async () => {
    const forged = encryptResource(JSON.stringify(expectedRefund), apiV3Key, { associatedData: "refund" });
    if (!forged.ok) throw new Error("cannot encrypt");
    const rawBody = JSON.stringify({ ...envelope, resource: { ...forged.value, original_type: "refund" } });
    expect(await parseRefundNotification({ headers, rawBody }, keys, apiV3Key, { now })).toMatchObject({
      ok: false,
      error: { code: "SIGNATURE_INVALID" },
    });
  });
});
