import type PgBoss from "pg-boss";
import { SYSTEM_ACTOR, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { log } from "../log";
import { importTradeBillDay } from "../orders-import/bill-import";
import { runBackfill } from "../orders-import/backfill";
import { dueImportDays, hasImportDay, importMerchantIds } from "../orders-import/queries";
import type { TradeBillSourceResolver } from "../reconciliation/bill-source";
import { ensureQueue } from "./boss";
import { RETRIED_JOB, startDailyBillWork, type DailyBillWork } from "./daily-bills";

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

export async function enqueueBackfill(boss: PgBoss, backfillId: number, actor: AuditActor): Promise<void> {
  await boss.send(ORDER_IMPORT_QUEUES.backfill, { backfillId, actor }, { singletonKey: String(backfillId) });
}

export interface OrderImportWorkerDependencies {
  db: Database;
  resolveSource: TradeBillSourceResolver;
  pollingIntervalSeconds?: number;
}

/** The daily import of each active merchant's ALL bill as orders (lib/orders-import). */
export function orderImportWork(deps: OrderImportWorkerDependencies): DailyBillWork {
  return {
    queues: { run: ORDER_IMPORT_QUEUES.day, daily: ORDER_IMPORT_QUEUES.daily, retry: ORDER_IMPORT_QUEUES.retry },
    merchantIds: () => importMerchantIds(deps.db),
    hasDay: (merchantId, billDate) => hasImportDay(deps.db, merchantId, billDate),
    dueDays: (now) => dueImportDays(deps.db, now),
    run: async (job) => {
      const outcome = await importTradeBillDay(deps.db, deps.resolveSource, { ...job, actor: SYSTEM_ACTOR });
      log.info(
        { ...job, status: outcome.day.status, imported: outcome.imported, lines: outcome.day.lineCount },
        "trade bill imported",
      );
    },
  };
}

/**
 * The daily order import (every morning, its retries and the start-up catch-up: `startDailyBillWork`), and the
 * operators' backfills.
 */
export async function startOrderImportWorkers(boss: PgBoss, deps: OrderImportWorkerDependencies): Promise<void> {
  await ensureQueue(boss, { name: ORDER_IMPORT_QUEUES.backfill, policy: "stately", ...RETRIED_JOB });
  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 };
  await boss.work<{ backfillId: number; actor: AuditActor }>(ORDER_IMPORT_QUEUES.backfill, polling, async (jobs) => {
    for (const job of jobs) {
      const done = await runBackfill(deps.db, deps.resolveSource, job.data.backfillId, job.data.actor);
      log.info({ backfillId: job.data.backfillId, rows: done?.rowsImported }, "order backfill finished");
    }
  });
  await startDailyBillWork(boss, orderImportWork(deps), deps.pollingIntervalSeconds);
}
