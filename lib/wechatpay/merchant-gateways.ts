import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants } from "../db/schema";
import type { RefundGateway } from "../refunds/gateway";
import { err, type Result } from "../result";
import { loadMerchantCredentialsFromEnv } from "./config";
import { wechatPayError, type WechatPayError } from "./errors";
import { createRefundGateway } from "./gateway";

// One gateway per merchant per process: each holds a platform key store whose certificate cache and
// once-a-minute refresh limit must be shared by every call.
const cache = new Map<string, Result<RefundGateway, WechatPayError>>();

/** The gateway for a merchant, from where its credentials live (`env`: the WECHATPAY_* variables). */
export async function gatewayForMerchant(db: Db, merchantId: string, env: NodeJS.ProcessEnv = process.env): Promise<Result<RefundGateway, WechatPayError>> {
  const cached = cache.get(merchantId);
  if (cached?.ok) return cached;
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!merchant) return err(wechatPayError("config", "MCH_NOT_EXISTS", `merchant ${merchantId} is not configured`));
  const credentials = loadMerchantCredentialsFromEnv(env);
  if (!credentials.ok) return credentials;
  if (!credentials.value || credentials.value.mchid !== merchant.mchid) {
    return err(wechatPayError("config", "CONFIG_MISSING", `no WeChat Pay credentials for merchant ${merchant.mchid}`));
  }
  const gateway = createRefundGateway(credentials.value, merchant.apiVersion);
  cache.set(merchantId, gateway);
  return gateway;
}
