import type PgBoss from "pg-boss";
import { SYSTEM_ACTOR, type AuditActor } from "../audit/append";
import { BEIJING_TIME_ZONE } from "../beijing-time";
import type { Database } from "../db/client";
import { log } from "../log";
import { importTradeBillDay } from "../orders-import/bill-import";
import { runBackfill } from "../orders-import/backfill";
import { dueImportDays, hasImportDay, importMerchantIds } from "../orders-import/queries";
import { previousBillDate } from "../reconciliation/bill-date";
import type { TradeBillSourceResolver } from "../reconciliation/bill-source";
import { ensureQueue } from "./boss";
import { DAILY_CRON } from "./bill-jobs";
import { QUEUES } from "./refund-jobs";

export const ORDER_IMPORT_QUEUES = {
  /** One merchant's ALL bill of one day, imported as orders. */
  day: "order-import-day",
  /** Every morning: yesterday's ALL bill of every active merchant. */
  daily: "order-import-daily",
  /** Missing or unusable bills whose next attempt is due. */
  retry: "order-import-retry",
  /** An operator's range of days, worked through in order. */
  backfill: "order-import-backfill",
} as const;

interface DayJob {
  merchantId: string;
  billDate: string;
}

const RETRY_CRON = "*/15 * * * *";

export async function enqueueImportDay(boss: PgBoss, job: DayJob): Promise<void> {
  await boss.send(ORDER_IMPORT_QUEUES.day, job, { singletonKey: `${job.merchantId}:${job.billDate}` });
}

export async function enqueueBackfill(boss: PgBoss, backfillId: number, actor: AuditActor): Promise<void> {
  await boss.send(ORDER_IMPORT_QUEUES.backfill, { backfillId, actor }, { singletonKey: String(backfillId) });
}

/** Yesterday's ALL bill of every active merchant; `onlyNew` leaves days already tried to their retries. */
export async function enqueueYesterdaysImports(
  boss: PgBoss,
  db: Database,
  now: Date,
  options: { onlyNew?: boolean } = {},
): Promise<number> {
  const billDate = previousBillDate(now);
  let queued = 0;
  for (const merchantId of await importMerchantIds(db)) {
    if (options.onlyNew && (await hasImportDay(db, merchantId, billDate))) continue;
    await enqueueImportDay(boss, { merchantId, billDate });
    queued += 1;
  }
  return queued;
}

export interface OrderImportWorkerDependencies {
  db: Database;
  resolveSource: TradeBillSourceResolver;
  pollingIntervalSeconds?: number;
}

/**
 * The daily order import: a pg-boss schedule at 10:30 Beijing time (WeChat publishes yesterday's bill after 10:00)
 * for yesterday, a sweep every 15 minutes for days whose retry is due, on start-up yesterday's bill if no instance
 * has fetched it yet, and the operators' backfills.
 */
export async function startOrderImportWorkers(boss: PgBoss, deps: OrderImportWorkerDependencies): Promise<void> {
  const retried = { retryLimit: 3, retryDelay: 300, retryBackoff: true, deadLetter: QUEUES.dead };
  await ensureQueue(boss, { name: ORDER_IMPORT_QUEUES.day, policy: "stately", ...retried });
  await ensureQueue(boss, { name: ORDER_IMPORT_QUEUES.backfill, policy: "stately", ...retried });
  for (const name of [ORDER_IMPORT_QUEUES.daily, ORDER_IMPORT_QUEUES.retry]) {
    await ensureQueue(boss, { name, policy: "singleton", deadLetter: QUEUES.dead });
  }
  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 };
  await boss.work<DayJob>(ORDER_IMPORT_QUEUES.day, polling, async (jobs) => {
    for (const job of jobs) {
      const outcome = await importTradeBillDay(deps.db, deps.resolveSource, { ...job.data, actor: SYSTEM_ACTOR });
      log.info(
        { ...job.data, status: outcome.day.status, imported: outcome.imported, lines: outcome.day.lineCount },
        "trade bill imported",
      );
    }
  });
  await boss.work<{ backfillId: number; actor: AuditActor }>(ORDER_IMPORT_QUEUES.backfill, polling, async (jobs) => {
    for (const job of jobs) {
      const done = await runBackfill(deps.db, deps.resolveSource, job.data.backfillId, job.data.actor);
      log.info({ backfillId: job.data.backfillId, rows: done?.rowsImported }, "order backfill finished");
    }
  });
  await boss.work(ORDER_IMPORT_QUEUES.daily, polling, async () => {
    await enqueueYesterdaysImports(boss, deps.db, new Date());
  });
  await boss.work(ORDER_IMPORT_QUEUES.retry, polling, async () => {
    for (const due of await dueImportDays(deps.db, new Date())) await enqueueImportDay(boss, due);
  });
  await boss.schedule(ORDER_IMPORT_QUEUES.daily, DAILY_CRON, undefined, { tz: BEIJING_TIME_ZONE });
  await boss.schedule(ORDER_IMPORT_QUEUES.retry, RETRY_CRON);
  await enqueueYesterdaysImports(boss, deps.db, new Date(), { onlyNew: true });
}
