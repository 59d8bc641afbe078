import type PgBoss from "pg-boss";
import { ensureQueue } from "./boss";
import { SYSTEM_ACTOR } from "../audit/append";
import { BEIJING_TIME_ZONE } from "../beijing-time";
import type { Database } from "../db/client";
import { log } from "../log";
import { previousBillDate } from "../reconciliation/bill-date";
import type { BillSourceResolver } from "../reconciliation/bill-source";
import { billMerchantIds, dueBillDays, hasBillDay } from "../reconciliation/queries";
import { runReconciliation } from "../reconciliation/run";
import { QUEUES } from "./refund-jobs";

export const BILL_QUEUES = {
  /** One merchant's bill of one day: download, compare, record. */
  run: "bill-reconcile",
  /** Every morning: yesterday's bill of every active merchant (and of disabled ones with refunds to check). */
  daily: "bill-daily",
  /** Missing or unusable bills whose next attempt is due. */
  retry: "bill-retry",
} as const;

interface BillJob {
  merchantId: string;
  billDate: string;
}

/** WeChat publishes the previous day's bill after 10:00 Beijing time; half an hour later it is there. */
export const DAILY_CRON = "30 10 * * *";
const RETRY_CRON = "*/15 * * * *";

export async function enqueueBillRun(boss: PgBoss, job: BillJob): Promise<void> {
  // One waiting and one running job per merchant and day, however often the cron, a retry and a start-up ask.
  await boss.send(BILL_QUEUES.run, job, { singletonKey: `${job.merchantId}:${job.billDate}` });
}

/** Yesterday's bill of every merchant that has one to check; `onlyNew` leaves days already tried to their retries. */
export async function enqueueYesterday(
  boss: PgBoss,
  db: Database,
  now: Date,
  options: { onlyNew?: boolean } = {},
): Promise<number> {
  const billDate = previousBillDate(now);
  let queued = 0;
  for (const merchantId of await billMerchantIds(db, billDate)) {
    if (options.onlyNew && (await hasBillDay(db, merchantId, billDate))) continue;
    await enqueueBillRun(boss, { merchantId, billDate });
    queued += 1;
  }
  return queued;
}

export interface BillWorkerDependencies {
  db: Database;
  resolveSource: BillSourceResolver;
  pollingIntervalSeconds?: number;
}

/**
 * The daily reconciliation: a pg-boss schedule at 10:30 Beijing time for yesterday, a sweep every 15 minutes for
 * days whose retry is due (MISSING and ERROR days carry their next attempt), and on start-up yesterday's bill if no
 * instance has fetched it yet (a fresh install, or a console that was down at 10:30).
 */
export async function startBillWorkers(boss: PgBoss, deps: BillWorkerDependencies): Promise<void> {
  await ensureQueue(boss, {
    name: BILL_QUEUES.run,
    policy: "stately",
    retryLimit: 3,
    retryDelay: 300,
    retryBackoff: true,
    deadLetter: QUEUES.dead,
  });
  for (const name of [BILL_QUEUES.daily, BILL_QUEUES.retry]) {
    await ensureQueue(boss, { name, policy: "singleton", deadLetter: QUEUES.dead });
  }
  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 };
  await boss.work<BillJob>(BILL_QUEUES.run, polling, async (jobs) => {
    for (const job of jobs) {
      const outcome = await runReconciliation(deps.db, deps.resolveSource, { ...job.data, actor: SYSTEM_ACTOR });
      log.info(
        {
          billDate: job.data.billDate,
          merchantId: job.data.merchantId,
          status: outcome.day.status,
          open: outcome.open,
        },
        "bill reconciled",
      );
    }
  });
  await boss.work(BILL_QUEUES.daily, polling, async () => {
    await enqueueYesterday(boss, deps.db, new Date());
  });
  await boss.work(BILL_QUEUES.retry, polling, async () => {
    for (const due of await dueBillDays(deps.db, new Date())) await enqueueBillRun(boss, due);
  });
  await boss.schedule(BILL_QUEUES.daily, DAILY_CRON, undefined, { tz: BEIJING_TIME_ZONE });
  await boss.schedule(BILL_QUEUES.retry, RETRY_CRON);
  await enqueueYesterday(boss, deps.db, new Date(), { onlyNew: true });
}
