/**
 * The bytes of one refund notification as WeChat Pay posts them, optionally sabotaged on purpose: a signature that
 * does not verify, or a ciphertext altered after encryption (signed correctly, so only decryption catches it).
 */
import { randomBytes } from "node:crypto";
import { ok, type Result } from "../../lib/result";
import type { WechatPayError } from "../../lib/wechatpay/errors";
import { buildRefundNotification, parseNotificationAnswer } from "../../lib/wechatpay/v2/notification";
import { buildNotification } from "../../lib/wechatpay/v3/notification";
import { SIGNATURE_PROBE_PREFIX, signResponse } from "../../lib/wechatpay/v3/verify";
import { privateKeyOf } from "../keys";
import { v2ReqInfo, v3NotificationResource, V3_EVENT, signerOf } from "../domain/wire";
import type { Delivery, Merchant, Refund } from "../state/schema";
import { beijingIso } from "../../lib/beijing-time";

export interface Sabotage {
  badSignature: boolean;
  tamperCiphertext: boolean;
  /** WeChat's signature probe: the signature replaced by `WECHATPAY/SIGNTEST/` and random bytes. */
  probe?: boolean;
}

export interface Payload {
  headers: Record<string, string>;
  body: string;
}

/** Flips the first byte of a base64 ciphertext: still valid base64, no longer what was encrypted. */
function tamper(ciphertextB64: string): string {
  const bytes = Buffer.from(ciphertextB64, "base64");
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString("base64");
}

function v3Payload(
  delivery: Delivery,
  merchant: Merchant,
  refund: Refund,
  now: number,
  sabotage: Sabotage,
): Result<Payload, WechatPayError> {
  const { privateKeyPem, serial } = signerOf(merchant);
  const signer = { privateKey: privateKeyOf(privateKeyPem), serial };
  const timestamp = String(Math.floor(now / 1000));
  const built = buildNotification({
    ...V3_EVENT[delivery.status],
    originalType: "refund",
    resource: v3NotificationResource(refund, delivery.status, delivery.createTime),
    apiV3Key: merchant.apiV3Key,
    signer,
    // The same id and create_time on every retry, as WeChat does: receivers deduplicate by id.
    id: delivery.notificationId,
    createTime: beijingIso(delivery.createTime),
    timestamp,
  });
  if (!built.ok) return built;
  let { body } = built.value;
  let headers: Record<string, string> = built.value.headers;
  if (sabotage.tamperCiphertext) {
    const envelope = JSON.parse(body) as { resource: { ciphertext: string } };
    envelope.resource.ciphertext = tamper(envelope.resource.ciphertext);
    body = JSON.stringify(envelope);
    const resigned = signResponse({ body, ...signer, timestamp });
    if (!resigned.ok) return resigned;
    headers = resigned.value;
  }
  if (sabotage.badSignature) {
    // A real signature by the right key, over other bytes: well-formed, and wrong.
    const other = signResponse({ body: `${body} `, ...signer, timestamp, nonce: headers["Wechatpay-Nonce"] });
    if (!other.ok) return other;
    headers = { ...headers, "Wechatpay-Signature": other.value["Wechatpay-Signature"] };
  }
  if (sabotage.probe)
    headers = { ...headers, "Wechatpay-Signature": `${SIGNATURE_PROBE_PREFIX}${randomBytes(192).toString("base64")}` };
  return ok({ headers: { ...headers, "Content-Type": "application/json" }, body });
}

function v2Payload(
  delivery: Delivery,
  merchant: Merchant,
  refund: Refund,
  sabotage: Sabotage,
): Result<Payload, WechatPayError> {
  // APIv2 notifications carry no signature: knowing the API key (to encrypt req_info) is the only proof, so a
  // "bad signature" is a req_info encrypted under another key.
  const apiKey = sabotage.badSignature ? randomBytes(16).toString("hex") : merchant.apiV2Key;
  const built = buildRefundNotification({
    appid: merchant.appid,
    mch_id: merchant.mchid,
    apiKey,
    refund: v2ReqInfo(refund, delivery.status, delivery.createTime),
  });
  if (!built.ok) return built;
  let body = built.value;
  if (sabotage.tamperCiphertext) {
    body = body.replace(
      /<req_info><!\[CDATA\[([^\]]*)\]\]><\/req_info>/,
      (_all, info: string) => `<req_info><![CDATA[${tamper(info)}]]></req_info>`,
    );
  }
  return ok({ headers: { "Content-Type": "text/xml; charset=utf-8" }, body });
}

export function buildPayload(
  delivery: Delivery,
  merchant: Merchant,
  refund: Refund,
  now: number,
  sabotage: Sabotage,
): Result<Payload, WechatPayError> {
  if (delivery.protocol === "v3") return v3Payload(delivery, merchant, refund, now, sabotage);
  return v2Payload(delivery, merchant, refund, sabotage);
}

/** Whether the merchant's answer stops the retries: v3 wants 200 or 204, v2 wants return_code SUCCESS. */
export function isAccepted(protocol: "v3" | "v2", httpStatus: number, answer: string): boolean {
  if (protocol === "v3") return httpStatus === 200 || httpStatus === 204;
  const parsed = parseNotificationAnswer(answer);
  return httpStatus === 200 && parsed.ok && parsed.value.return_code === "SUCCESS";
}
