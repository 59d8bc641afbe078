import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants, type Merchant } from "../db/schema";
import type { RefundGateway } from "../refunds/gateway";
import { err, ok, type Result } from "../result";
import { loadMerchantCredentialsFromEnv, type MerchantCredentials } from "./config";
import { wechatPayError, type WechatPayError } from "./errors";
import { createRefundGateway } from "./gateway";
import type { PlatformKeyStore } from "./v3/key-store";

/** Everything the console holds to talk to WeChat Pay as one merchant, and to check what WeChat sends it. */
export interface MerchantWechatPay {
  merchant: Merchant;
  credentials: MerchantCredentials;
  gateway: RefundGateway;
  /** APIv3 merchants only: the platform keys the gateway verifies answers with, and callbacks are verified with. */
  keys?: PlatformKeyStore;
}

/** Where `env` credentials come from: `process.env`, or a test's own variables. */
type Env = Readonly<Record<string, string | undefined>>;

// One entry per merchant per process: its platform key store's certificate cache and once-a-minute refresh limit
// must be shared by every call and every callback.
const cache = new Map<string, Omit<MerchantWechatPay, "merchant">>();

/** Wires a merchant row to its credentials (`env`: the WECHATPAY_* variables), reusing this process's wiring. */
function wire(merchant: Merchant, env: Env): Result<MerchantWechatPay, WechatPayError> {
  const cached = cache.get(merchant.id);
  // The row is always the caller's fresh one; only the wiring (credentials, gateway, keys) is kept.
  if (cached) return ok({ ...cached, merchant });
  const credentials = loadMerchantCredentialsFromEnv(env);
  if (!credentials.ok) return credentials;
  if (!credentials.value || credentials.value.mchid !== merchant.mchid) {
    return err(wechatPayError("config", "CONFIG_MISSING", `no WeChat Pay credentials for merchant ${merchant.mchid}`));
  }
  const wired = createRefundGateway(credentials.value, merchant.apiVersion);
  if (!wired.ok) return wired;
  const entry = { credentials: credentials.value, gateway: wired.value.gateway, keys: wired.value.keys };
  cache.set(merchant.id, entry);
  return ok({ ...entry, merchant });
}

/** A merchant's gateway, credentials and platform keys. */
export async function merchantWechatPay(
  db: Db,
  merchantId: string,
  env: Env = process.env,
): Promise<Result<MerchantWechatPay, WechatPayError>> {
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!merchant) return err(wechatPayError("config", "MCH_NOT_EXISTS", `merchant ${merchantId} is not configured`));
  return wire(merchant, env);
}

/** The gateway for a merchant, from where its credentials live. */
export async function gatewayForMerchant(
  db: Db,
  merchantId: string,
  env: Env = process.env,
): Promise<Result<RefundGateway, WechatPayError>> {
  const wired = await merchantWechatPay(db, merchantId, env);
  return wired.ok ? ok(wired.value.gateway) : wired;
}

/**
 * Every merchant whose credentials are usable: the candidates a callback may be addressed to (WeChat's callbacks
 * name the merchant only inside the signed or encrypted part). Merchants without credentials are left out.
 */
export async function configuredMerchants(db: Db, env: Env = process.env): Promise<MerchantWechatPay[]> {
  const rows = await db.select().from(merchants).orderBy(merchants.createdAt);
  return rows.flatMap((row) => {
    const wired = wire(row, env);
    return wired.ok ? [wired.value] : [];
  });
}

/** Whether a merchant row is the one WeChat names by `mchid` (direct) or `sp_mchid` + `sub_mchid` (partner). */
export function isMerchant(merchant: Pick<Merchant, "mchid" | "subMchid">, named: { mchid: string; subMchid?: string }): boolean {
  return merchant.mchid === named.mchid && (merchant.subMchid ?? undefined) === named.subMchid;
}
