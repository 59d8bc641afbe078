import { getDb, type Database } from "../db/client";
import { serverEnv } from "../env";
import { log } from "../log";
import type { GatewayResolver } from "../refunds/submit";
import { ok } from "../result";
import { merchantWechatPay } from "../wechatpay/merchant-gateways";
import { rateLimited } from "../wechatpay/rate-limited-gateway";
import { recorded } from "../wechatpay/recorded-gateway";
import { billSourceForMerchant } from "../wechatpay/bill-source";
import { startBillWorkers } from "./bill-jobs";
import { getBoss } from "./boss";
import { startBulkWorkers } from "./bulk-jobs";
import { startRefundWorkers } from "./refund-jobs";

/** Where WeChat Pay sends refund callbacks: REFUND_NOTIFY_URL, else the console's own route. */
export function refundNotifyUrl(): string {
  const env = serverEnv();
  return env.REFUND_NOTIFY_URL ?? new URL("/api/notify/refund", env.APP_URL).toString();
}

/**
 * Merchants' gateways as the console uses them: within the shared rate limit, and every call recorded as evidence
 * (with `actorId` when a person caused it), with the merchant's keys as known secrets to scrub from the record.
 */
export function consoleGateways(db: Database, actorId: string | null = null): GatewayResolver {
  return async (merchantId) => {
    const wired = await merchantWechatPay(db, merchantId);
    if (!wired.ok) return wired;
    const { merchant, credentials, gateway } = wired.value;
    const secrets = [credentials.apiV3Key, credentials.apiV2Key];
    return ok(rateLimited(db, merchantId, recorded(db, { merchantId, actorId, secrets, apiVersion: merchant.apiVersion }, gateway)));
  };
}

/** Start this instance's job workers; every instance does, and pg-boss hands each job to one of them. */
export async function startJobs(): Promise<void> {
  const db = getDb();
  const boss = await getBoss();
  await startRefundWorkers(boss, { db, resolveGateway: consoleGateways(db), notifyUrl: refundNotifyUrl() });
  await startBulkWorkers(boss, { db });
  await startBillWorkers(boss, { db, resolveSource: (merchantId) => billSourceForMerchant(db, merchantId) });
  log.info("refund job workers started");
}
