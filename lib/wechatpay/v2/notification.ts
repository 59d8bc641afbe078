/**
 * APIv2 refund result notification (退款结果通知): WeChat POSTs
 * `<xml><return_code/><appid/><mch_id/><nonce_str/><req_info/></xml>` to the merchant's notify_url and expects
 * `successAnswer()` back; anything else makes WeChat retry later.
 *
 * The envelope carries NO `sign`: the only proof of origin is that `req_info` decrypts with the API key
 * (ECB, no integrity). Confirm final states with the refund query before acting on them.
 */
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { errorFromReturnMsg } from "./codes";
import { decryptReqInfo, encryptReqInfo, type RefundReqInfo } from "./reqinfo";
import { id, validateFields } from "./schema";
import { nonceStr } from "./sign";
import { buildXml, parseXml, stripNonXmlChars } from "./xml";

/** Refund states as APIv2 spells them; PROCESSING appears only in refund queries, never in notifications. */
export type V2RefundStatus = "SUCCESS" | "CHANGE" | "REFUNDCLOSE" | "PROCESSING";

/** The APIv3 vocabulary the console stores, whatever protocol the merchant uses. */
export type CommonRefundStatus = "SUCCESS" | "ABNORMAL" | "CLOSED" | "PROCESSING";

const COMMON_STATUS: Readonly<Record<V2RefundStatus, CommonRefundStatus>> = {
  SUCCESS: "SUCCESS",
  CHANGE: "ABNORMAL", // 退款异常: money could not reach the payer; the merchant must act
  REFUNDCLOSE: "CLOSED",
  PROCESSING: "PROCESSING",
};

export function toCommonRefundStatus(status: V2RefundStatus): CommonRefundStatus {
  return COMMON_STATUS[status];
}

const envelopeSchema = z.object({
  return_code: z.literal("SUCCESS"),
  return_msg: z.string().optional(),
  appid: id,
  mch_id: id,
  /** Service-provider mode (服务商): the sub-merchant the refund belongs to. */
  sub_appid: id.optional(),
  sub_mch_id: id.optional(),
  nonce_str: z.string().min(1).max(32),
  req_info: z.string().min(1),
});

export type RefundNotificationEnvelope = z.output<typeof envelopeSchema>;

export interface V2RefundNotification {
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  refund: RefundReqInfo;
  status: CommonRefundStatus;
}

/**
 * Reads the outer XML without decrypting, so a console serving several merchants can pick the API key by
 * `mch_id` first. `return_code` FAIL is reported as a business error.
 */
export function parseRefundNotificationEnvelope(
  body: string | Uint8Array,
): Result<RefundNotificationEnvelope, WechatPayError> {
  const fields = parseXml(body, "xml");
  if (!fields.ok) return fields;
  if (fields.value.return_code === "FAIL") return err(errorFromReturnMsg(fields.value.return_msg));
  return validateFields(envelopeSchema, fields.value, "refund notification");
}

/** Decrypts the envelope's `req_info` with the API key of `envelope.mch_id`. */
export function decryptRefundNotification(
  envelope: RefundNotificationEnvelope,
  apiKey: string,
): Result<V2RefundNotification, WechatPayError> {
  const refund = decryptReqInfo(envelope.req_info, apiKey);
  if (!refund.ok) return refund;
  const { appid, mch_id, sub_appid, sub_mch_id } = envelope;
  return ok({
    appid,
    mch_id,
    ...(sub_appid === undefined ? {} : { sub_appid }),
    ...(sub_mch_id === undefined ? {} : { sub_mch_id }),
    refund: refund.value,
    status: toCommonRefundStatus(refund.value.refund_status),
  });
}

/** Envelope + decryption for a single merchant; refuses a notification addressed to another merchant. */
export function parseRefundNotification(
  body: string | Uint8Array,
  merchant: { mchid: string; apiKey: string },
): Result<V2RefundNotification, WechatPayError> {
  const envelope = parseRefundNotificationEnvelope(body);
  if (!envelope.ok) return envelope;
  if (envelope.value.mch_id !== merchant.mchid) {
    return err(wechatPayError("malformed", "MALFORMED", `notification is for mch_id ${envelope.value.mch_id}`));
  }
  return decryptRefundNotification(envelope.value, merchant.apiKey);
}

const SUCCESS_ANSWER =
  "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/** The body that stops WeChat from re-sending the notification. */
export function successAnswer(): string {
  return SUCCESS_ANSWER;
}

/** A refusal; WeChat will re-send the notification later. `msg` is trimmed to the documented 128 characters. */
export function failAnswer(msg: string): string {
  // return_msg is not signed, so characters XML cannot carry may simply be dropped.
  const returnMsg = Array.from(stripNonXmlChars(msg)).slice(0, 128).join("");
  const xml = buildXml({ return_code: "FAIL", return_msg: returnMsg });
  return xml.ok ? xml.value : "<xml><return_code><![CDATA[FAIL]]></return_code></xml>";
}

/** What the merchant answered, read by the simulator to decide whether to re-send. */
export function parseNotificationAnswer(
  body: string | Uint8Array,
): Result<{ return_code: "SUCCESS" | "FAIL"; return_msg?: string }, WechatPayError> {
  const fields = parseXml(body, "xml");
  if (!fields.ok) return fields;
  return validateFields(
    z.object({ return_code: z.enum(["SUCCESS", "FAIL"]), return_msg: z.string().optional() }),
    fields.value,
    "notification answer",
  );
}

export interface RefundNotificationInput {
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  apiKey: string;
  refund: RefundReqInfo;
  /** Fixed only in tests; a fresh random nonce otherwise. */
  nonce_str?: string;
}

/** Gateway side (simulator): the notification body WeChat would POST for `refund`. */
export function buildRefundNotification(input: RefundNotificationInput): Result<string, WechatPayError> {
  const reqInfo = encryptReqInfo(input.refund, input.apiKey);
  if (!reqInfo.ok) return reqInfo;
  const outer: Record<string, string> = { return_code: "SUCCESS", appid: input.appid, mch_id: input.mch_id };
  if (input.sub_appid !== undefined) outer.sub_appid = input.sub_appid;
  if (input.sub_mch_id !== undefined) outer.sub_mch_id = input.sub_mch_id;
  outer.nonce_str = input.nonce_str ?? nonceStr();
  outer.req_info = reqInfo.value;
  return buildXml(outer);
}
