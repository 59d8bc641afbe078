import { createDatabase, getDb, type Database } from "../db/client";
import { processEnv, serverEnv } from "../env";
import { systemResolver } from "../webhooks/ssrf";
import { startWebhookWorkers, WEBHOOK_QUEUES } from "./webhook-jobs";
import { ALERT_QUEUES, startAlertWorkers } from "./alert-jobs";
import { log } from "../log";
import type { GatewayResolver } from "../refunds/submit";
import { ok } from "../result";
import { checkConfiguredMerchantAtStart } from "../ops/configuration-status";
import { metered } from "../ops/metered-gateway";
import { refundNotifyUrlFrom } from "../wechatpay/notify-url";
import { merchantWechatPay } from "../wechatpay/merchant-gateways";
import { rateLimited } from "../wechatpay/rate-limited-gateway";
import { recorded } from "../wechatpay/recorded-gateway";
import { billSourceForMerchant } from "../wechatpay/bill-source";
import { setJobsState } from "../ops/readiness";
import { BILL_QUEUES, startBillWorkers } from "./bill-jobs";
import { getBoss } from "./boss";
import { BULK_QUEUES, startBulkWorkers } from "./bulk-jobs";
import { ORDER_IMPORT_QUEUES, startOrderImportWorkers } from "./order-import-jobs";
import { QUEUES, startRefundWorkers } from "./refund-jobs";

/** Where WeChat Pay sends refund callbacks: REFUND_NOTIFY_URL, else the console's own route. */
export function refundNotifyUrl(): string {
  return refundNotifyUrlFrom(serverEnv());
}

/**
 * Merchants' gateways as the console uses them: within the shared rate limit, every call counted for /api/metrics and recorded as evidence
 * (with `actorId` when a person caused it), with the merchant's keys as known secrets to scrub from the record.
 */
export function consoleGateways(
  db: Database,
  actorId: string | null = null,
  env: Readonly<Record<string, string | undefined>> = processEnv,
): GatewayResolver {
  return async (merchantId) => {
    const wired = await merchantWechatPay(db, merchantId, env);
    if (!wired.ok) return wired;
    const { merchant, credentials, gateway } = wired.value;
    const secrets = [credentials.apiV3Key, credentials.apiV2Key];
    // The limiter waits outside the meter: the latency measured is WeChat's, not our queue's.
    return ok(
      rateLimited(
        db,
        merchantId,
        metered(recorded(db, { merchantId, actorId, secrets, apiVersion: merchant.apiVersion }, gateway)),
      ),
    );
  };
}

/** Start this instance's job workers; every instance does, and pg-boss hands each job to one of them. */
export async function startJobs(): Promise<void> {
  setJobsState("starting");
  try {
    const db = getDb();
    const boss = await getBoss();
    await startRefundWorkers(boss, {
      db,
      resolveGateway: consoleGateways(db),
      notifyUrl: refundNotifyUrl(),
      refusedCallbackRetentionDays: serverEnv().REFUSED_CALLBACK_RETENTION_DAYS,
    });
    await startBulkWorkers(boss, { db });
    const resolveSource = (merchantId: string) => billSourceForMerchant(db, merchantId);
    await startBillWorkers(boss, { db, resolveSource });
    await startOrderImportWorkers(boss, { db, resolveSource });
    const env = serverEnv();
    await startWebhookWorkers(boss, {
      db,
      historyRetentionDays: env.WEBHOOK_HISTORY_RETENTION_DAYS,
      // LISTEN needs a session of its own, which a transaction-mode pooler does not give: there the sweep alone
      // finds new deliveries, within a minute (docs/scaling.md).
      listener: env.DATABASE_POOL_MODE === "session" ? createDatabase(env.DATABASE_URL, { max: 1 }).sql : undefined,
      delivery: { policy: { allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE }, resolver: systemResolver },
    });
    await startAlertWorkers(boss, {
      db,
      stuckMinutes: env.ALERT_STUCK_MINUTES,
      dispatch: { appUrl: env.APP_URL, policy: { allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE }, resolver: systemResolver },
    });
  } catch (error) {
    // /api/ready reports it, so a load balancer takes the instance out instead of sending it work it cannot finish.
    setJobsState("failed");
    throw error;
  }
  setJobsState("running");
  log.info("refund job workers started");
}

/** Every job queue, for the queue-depth metric. */
export const JOB_QUEUE_NAMES = [
  ...Object.values(QUEUES),
  ...Object.values(BULK_QUEUES),
  ...Object.values(BILL_QUEUES),
  ...Object.values(ORDER_IMPORT_QUEUES),
  ...Object.values(WEBHOOK_QUEUES),
  ...Object.values(ALERT_QUEUES),
];

/** The configured merchant's WeChat Pay configuration, checked once per instance start (lib/ops/configuration-status). */
export function checkConfigurationAtStart(): Promise<void> {
  return checkConfiguredMerchantAtStart(getDb(), refundNotifyUrl());
}
