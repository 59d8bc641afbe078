import { getDb } from "../db/client";
import { serverEnv } from "../env";
import { log } from "../log";
import { ok } from "../result";
import { gatewayForMerchant } from "../wechatpay/merchant-gateways";
import { rateLimited } from "../wechatpay/rate-limited-gateway";
import { getBoss } from "./boss";
import { startRefundWorkers } from "./refund-jobs";

/** Where WeChat Pay sends refund callbacks: REFUND_NOTIFY_URL, else the console's own route. */
export function refundNotifyUrl(): string {
  const env = serverEnv();
  return env.REFUND_NOTIFY_URL ?? new URL("/api/notify/refund", env.APP_URL).toString();
}

/** Start this instance's job workers; every instance does, and pg-boss hands each job to one of them. */
export async function startJobs(): Promise<void> {
  const db = getDb();
  const boss = await getBoss();
  const resolveGateway = async (merchantId: string) => {
    const gateway = await gatewayForMerchant(db, merchantId);
    return gateway.ok ? ok(rateLimited(db, merchantId, gateway.value)) : gateway;
  };
  await startRefundWorkers(boss, { db, resolveGateway, notifyUrl: refundNotifyUrl() });
  log.info("refund job workers started");
}
