import { err, ok, type Result } from "../result";
import type { WechatPayError } from "../wechatpay/errors";
import { isMerchant, type MerchantWechatPay } from "../wechatpay/merchant-gateways";
import {
  decryptRefundNotification,
  parseRefundNotificationEnvelope,
  type V2RefundNotification,
} from "../wechatpay/v2/notification";
import type { IncomingNotification, Notification } from "../wechatpay/v3/notification";
import { headerValue, type KeyResolver } from "../wechatpay/v3/verify";

/** Why a callback was not taken as coming from WeChat for one of our merchants. */
export interface Refusal {
  code: string;
  reason: string;
  /** Authentic content addressed to a merchant we do not have: kept for the record. */
  opened?: { notificationId: string; eventType: string; decrypted: Record<string, unknown> };
}

/** How WeChat names the merchant inside a decrypted resource: direct, or partner (服务商) mode. */
export type MerchantNamed = { mchid: string } | { sp_mchid: string; sub_mchid: string };

export function namedMerchant(resource: MerchantNamed): { mchid: string; subMchid?: string } {
  return "mchid" in resource ? { mchid: resource.mchid } : { mchid: resource.sp_mchid, subMchid: resource.sub_mchid };
}

/** `parseRefundNotification` or `parseTransactionNotification`: verify, then decrypt, then validate. */
export type V3Opener<T> = (input: IncomingNotification, resolveKey: KeyResolver, apiV3Key: string) => Promise<Result<Notification<T>, WechatPayError>>;

export interface Opened<T> {
  wechatPay: MerchantWechatPay;
  notification: T;
}

const refusalOf = (error: WechatPayError): Refusal => ({ code: error.code, reason: error.detail });

/** How far a candidate got: the refusal reported is the one of the merchant that came closest to accepting. */
function progress(refusal: Refusal): number {
  if (refusal.opened) return 3;
  if (refusal.code === "UNKNOWN_SERIAL") return 0;
  return ["HEADERS_MISSING", "SIGNATURE_PROBE", "TIMESTAMP_SKEW", "NOT_BASE64", "SIGNATURE_INVALID"].includes(refusal.code) ? 1 : 2;
}

/**
 * An APIv3 callback names its merchant only inside the encrypted resource, so it is opened with each configured
 * merchant's key store and APIv3 key in turn; the decrypted mchid (or sp_mchid + sub_mchid) must then be that
 * merchant's. Merchants whose store already holds the `Wechatpay-Serial` key go first; only when none does may
 * stores download certificates (each at most once a minute for unknown serials).
 */
export async function openV3<T extends MerchantNamed>(
  candidates: readonly MerchantWechatPay[],
  input: IncomingNotification,
  open: V3Opener<T>,
): Promise<Result<Opened<Notification<T>>, Refusal>> {
  const serial = headerValue(input.headers, "Wechatpay-Serial") ?? "";
  const usable = candidates.flatMap((wechatPay) => {
    const { keys, credentials } = wechatPay;
    return keys && credentials.apiV3Key ? [{ wechatPay, keys, apiV3Key: credentials.apiV3Key }] : [];
  });
  const holding = usable.filter((c) => c.keys.lookup(serial));
  let closest: Refusal | undefined;
  for (const { wechatPay, keys, apiV3Key } of holding.length > 0 ? holding : usable) {
    const opened = await open(input, keys.resolve, apiV3Key);
    let refusal: Refusal;
    if (opened.ok) {
      const named = namedMerchant(opened.value.resource);
      if (isMerchant(wechatPay.merchant, named)) return ok({ wechatPay, notification: opened.value });
      refusal = {
        code: "MERCHANT_MISMATCH",
        reason: `resource names merchant ${named.mchid}${named.subMchid ? `/${named.subMchid}` : ""}, which is not configured`,
        opened: {
          notificationId: opened.value.id,
          eventType: opened.value.eventType,
          decrypted: opened.value.resource as Record<string, unknown>,
        },
      };
    } else {
      refusal = refusalOf(opened.error);
    }
    if (!closest || progress(refusal) > progress(closest)) closest = refusal;
  }
  return err(closest ?? { code: "NOT_CONFIGURED", reason: "no merchant has APIv3 credentials configured" });
}

/**
 * An APIv2 refund callback: `mch_id` (and `sub_mch_id`) in the clear envelope pick the merchant, whose API key
 * must decrypt `req_info`. That is all the authentication APIv2 offers; the caller confirms with a signed query.
 */
export function openV2(
  candidates: readonly MerchantWechatPay[],
  body: Uint8Array,
): Result<Opened<V2RefundNotification>, Refusal> {
  const envelope = parseRefundNotificationEnvelope(body);
  if (!envelope.ok) return err(refusalOf(envelope.error));
  const named = { mchid: envelope.value.mch_id, subMchid: envelope.value.sub_mch_id };
  const wechatPay = candidates.find((c) => isMerchant(c.merchant, named));
  const apiKey = wechatPay?.credentials.apiV2Key;
  if (!wechatPay || !apiKey) {
    return err({ code: "MERCHANT_MISMATCH", reason: `no merchant ${named.mchid} with an APIv2 key is configured` });
  }
  const opened = decryptRefundNotification(envelope.value, apiKey);
  return opened.ok ? ok({ wechatPay, notification: opened.value }) : err(refusalOf(opened.error));
}
