/**
 * `req_info` of the APIv2 refund notification (退款结果通知): base64 of AES-256-ECB/PKCS#7 ciphertext whose key
 * is the 32 ASCII characters of the lowercase hex MD5 of the API key; the plaintext is a flat `<root>` document.
 *
 * ECB has no integrity check. Successful decryption only shows the sender knows the API key, and even then
 * whole 16-byte blocks of earlier notifications could be spliced together. Treat a notification as a hint and
 * confirm final states with the refund query (see docs/wechatpay.md).
 */
import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { fen, id, validateFields } from "./schema";
import { buildXml, MAX_XML_BYTES, parseXml } from "./xml";

export const V2_NOTIFY_REFUND_STATUSES = ["SUCCESS", "CHANGE", "REFUNDCLOSE"] as const;

/** Field names are WeChat's, including its misspelling `refund_recv_accout`. Amounts are integers of fen. */
export const refundReqInfoSchema = z.object({
  out_refund_no: id,
  out_trade_no: id,
  refund_id: id,
  transaction_id: id,
  total_fee: fen,
  refund_fee: fen,
  settlement_refund_fee: fen,
  /** Present when the order used a non-recharge coupon. */
  settlement_total_fee: fen.optional(),
  /** SUCCESS 退款成功, CHANGE 退款异常, REFUNDCLOSE 退款关闭. */
  refund_status: z.enum(V2_NOTIFY_REFUND_STATUSES),
  /** Beijing time without zone, `2018-11-19 16:24:13`; only on SUCCESS. */
  success_time: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, "expected yyyy-MM-dd HH:mm:ss")
    .optional(),
  /** Where the money went, e.g. 支付用户零钱 or a bank card. */
  refund_recv_accout: z.string().min(1).max(128),
  /** REFUND_SOURCE_RECHARGE_FUNDS or REFUND_SOURCE_UNSETTLED_FUNDS. */
  refund_account: z.string().min(1).max(64),
  /** API or VENDOR_PLATFORM. */
  refund_request_source: z.string().min(1).max(64),
});

export type RefundReqInfo = z.output<typeof refundReqInfoSchema>;

// Base64 of at most MAX_XML_BYTES of ciphertext; a larger req_info is refused before decoding.
const MAX_REQ_INFO_CHARS = Math.ceil(MAX_XML_BYTES / 3) * 4;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function aesKey(apiKey: string): Buffer {
  // The key is the hex TEXT of the digest (32 bytes), not the 16 raw digest bytes.
  return Buffer.from(createHash("md5").update(apiKey, "utf8").digest("hex"), "latin1");
}

/** Decrypts and validates a refund notification's `req_info` (console side). */
export function decryptReqInfo(reqInfo: string, apiKey: string): Result<RefundReqInfo, WechatPayError> {
  if (reqInfo.length > MAX_REQ_INFO_CHARS) {
    const detail = `req_info is longer than ${MAX_REQ_INFO_CHARS} characters`;
    return err(wechatPayError("malformed", "BODY_TOO_LARGE", detail));
  }
  // Buffer.from(…, "base64") skips invalid characters silently, so the alphabet is checked first.
  if (reqInfo === "" || !BASE64.test(reqInfo)) {
    return err(wechatPayError("malformed", "NOT_BASE64", "req_info is not standard base64"));
  }
  const ciphertext = Buffer.from(reqInfo, "base64");
  if (ciphertext.length % 16 !== 0) {
    const detail = `ciphertext is ${ciphertext.length} bytes, not whole AES blocks`;
    return err(wechatPayError("malformed", "REQ_INFO_LENGTH_INVALID", detail));
  }

  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-ecb", aesKey(apiKey), null);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // `final()` throws on bad PKCS#7 padding, which is what a wrong key almost always produces.
    return err(wechatPayError("decryption", "REQ_INFO_DECRYPT_FAILED", "bad padding after AES-256-ECB decryption"));
  }
  // With a wrong key, about 1 in 256 blocks still ends in valid-looking padding; the garbage then fails here.
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true }).decode(plaintext);
  } catch {
    return err(wechatPayError("decryption", "REQ_INFO_DECRYPT_FAILED", "decrypted req_info is not UTF-8 text"));
  }

  const fields = parseXml(xml, "root");
  if (!fields.ok) return fields;
  return validateFields(refundReqInfoSchema, fields.value, "req_info");
}

/**
 * Encrypts a refund result into `req_info` (gateway side, for the simulator).
 * Refuses values WeChat would never send.
 */
export function encryptReqInfo(info: RefundReqInfo, apiKey: string): Result<string, WechatPayError> {
  // Amounts go back to text, then through the same schema the console uses, so the simulator cannot emit
  // a notification the console would refuse.
  const asText: Record<string, string> = {};
  for (const [name, value] of Object.entries(info)) {
    if (value !== undefined) asText[name] = String(value);
  }
  const checked = validateFields(refundReqInfoSchema, asText, "req_info");
  if (!checked.ok) return checked;

  // Only schema fields (zod drops extras), in alphabetical order and CDATA everywhere, like WeChat's own sample.
  const sorted = Object.entries(checked.value)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => [name, String(value)] as const);
  const xml = buildXml(Object.fromEntries(sorted), "root");
  if (!xml.ok) return xml;

  const cipher = createCipheriv("aes-256-ecb", aesKey(apiKey), null);
  return ok(Buffer.concat([cipher.update(xml.value, "utf8"), cipher.final()]).toString("base64"));
}
