import { err, ok, type Result } from "../result";
import type { WechatPayError } from "../wechatpay/errors";
import { isMerchant, type MerchantWechatPay } from "../wechatpay/merchant-gateways";
import {
  decryptRefundNotification,
  parseRefundNotificationEnvelope,
  type V2RefundNotification,
} from "../wechatpay/v2/notification";
import type { IncomingNotification, Notification } from "../wechatpay/v3/notification";
import type { PlatformKeyStore } from "../wechatpay/v3/key-store";
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
export type V3Opener<T> = (
  input: IncomingNotification,
  resolveKey: KeyResolver,
  apiV3Key: string,
) => Promise<Result<Notification<T>, WechatPayError>>;

export interface Opened<T> {
  wechatPay: MerchantWechatPay;
  notification: T;
}

const refusalOf = (error: WechatPayError): Refusal => ({ code: error.code, reason: error.detail });

/** How far a candidate got: the refusal reported is the one of the merchant that came closest to accepting. */
function progress(refusal: Refusal): number {
  if (refusal.opened) return 3;
  if (refusal.code === "UNKNOWN_SERIAL") return 0;
  return ["HEADERS_MISSING", "SIGNATURE_PROBE", "TIMESTAMP_SKEW", "NOT_BASE64", "SIGNATURE_INVALID"].includes(
    refusal.code,
  )
    ? 1
    : 2;
}

/**
 * One merchant's candidates, in the order given (for `db` merchants: active version first, then standby ones). The
 * first set is the one to act with; every set's keys are tried to open a callback, so a rotation needs no downtime.
 */
function byMerchant(candidates: readonly MerchantWechatPay[]): MerchantWechatPay[][] {
  const groups = new Map<string, MerchantWechatPay[]>();
  for (const candidate of candidates) {
    const group = groups.get(candidate.merchant.id);
    if (group) group.push(candidate);
    else groups.set(candidate.merchant.id, [candidate]);
  }
  return [...groups.values()];
}

/** The platform key named by `Wechatpay-Serial` in any of a merchant's stores: held keys first, then downloads. */
function resolverOf(stores: readonly PlatformKeyStore[]): KeyResolver {
  return async (serial) => {
    const holding = stores.find((store) => store.lookup(serial));
    if (holding) return holding.resolve(serial);
    for (const store of stores) {
      const key = await store.resolve(serial);
      if (key) return key;
    }
    return undefined;
  };
}

/**
 * An APIv3 callback names its merchant only inside the encrypted resource, so it is opened with each configured
 * merchant's platform keys and each of its APIv3 keys in turn (the signature names its key by `Wechatpay-Serial`;
 * the APIv3 key is whichever decrypts); the decrypted mchid (or sp_mchid + sub_mchid) must then be that merchant's.
 * Merchants whose stores already hold the `Wechatpay-Serial` key go first; only when none does may stores download
 * certificates (each at most once a minute for unknown serials).
 */
export async function openV3<T extends MerchantNamed>(
  candidates: readonly MerchantWechatPay[],
  input: IncomingNotification,
  open: V3Opener<T>,
): Promise<Result<Opened<Notification<T>>, Refusal>> {
  const serial = headerValue(input.headers, "Wechatpay-Serial") ?? "";
  const usable = byMerchant(candidates).flatMap((group) => {
    const sets = group.flatMap(({ keys, credentials }) =>
      keys && credentials.apiV3Key ? [{ keys, apiV3Key: credentials.apiV3Key }] : [],
    );
    if (sets.length === 0) return [];
    const stores = sets.map((s) => s.keys);
    return [
      {
        wechatPay: group[0]!,
        stores,
        resolve: resolverOf(stores),
        apiV3Keys: [...new Set(sets.map((s) => s.apiV3Key))],
      },
    ];
  });
  const holding = usable.filter((c) => c.stores.some((store) => store.lookup(serial)));
  let closest: Refusal | undefined;
  for (const { wechatPay, resolve, apiV3Keys } of holding.length > 0 ? holding : usable) {
    for (const apiV3Key of apiV3Keys) {
      const opened = await open(input, resolve, apiV3Key);
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
      // Only a key that does not decrypt is worth following with the merchant's next APIv3 key.
      if (opened.ok || opened.error.code !== "DECRYPTION_FAILED") break;
    }
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
  const group = byMerchant(candidates).find((g) => isMerchant(g[0]!.merchant, named));
  const apiKeys = [...new Set(group?.flatMap((c) => (c.credentials.apiV2Key ? [c.credentials.apiV2Key] : [])))];
  if (!group || apiKeys.length === 0) {
    return err({ code: "MERCHANT_MISMATCH", reason: `no merchant ${named.mchid} with an APIv2 key is configured` });
  }
  // During a rotation the old key may still be the one WeChat used: each of the merchant's keys is tried.
  let refusal: Refusal | undefined;
  for (const apiKey of apiKeys) {
    const opened = decryptRefundNotification(envelope.value, apiKey);
    if (opened.ok) return ok({ wechatPay: group[0]!, notification: opened.value });
    refusal ??= refusalOf(opened.error);
  }
  return err(refusal!);
}
