import type PgBoss from "pg-boss";
import { SYSTEM_ACTOR } from "../audit/append";
import type { Database } from "../db/client";
import { log } from "../log";
import type { BillSourceResolver } from "../reconciliation/bill-source";
import { billMerchantIds, dueBillDays, hasBillDay } from "../reconciliation/queries";
import { runReconciliation } from "../reconciliation/run";
import { startDailyBillWork, type DailyBillWork } from "./daily-bills";

export { DAILY_CRON } from "./daily-bills";

export const BILL_QUEUES = {
  /** One merchant's bill of one day: download, compare, record. */
  run: "bill-reconcile",
  /** Every morning: yesterday's bill of every active merchant (and of disabled ones with refunds to check). */
  daily: "bill-daily",
  /** Missing or unusable bills whose next attempt is due. */
  retry: "bill-retry",
} as const;

export interface BillWorkerDependencies {
  db: Database;
  resolveSource: BillSourceResolver;
  pollingIntervalSeconds?: number;
}

/** The daily reconciliation of each merchant's refund bill (lib/reconciliation). */
export function reconciliationWork(deps: BillWorkerDependencies): DailyBillWork {
  return {
    queues: BILL_QUEUES,
    merchantIds: (billDate) => billMerchantIds(deps.db, billDate),
    hasDay: (merchantId, billDate) => hasBillDay(deps.db, merchantId, billDate),
    dueDays: (now) => dueBillDays(deps.db, now),
    run: async (job) => {
      const outcome = await runReconciliation(deps.db, deps.resolveSource, { ...job, actor: SYSTEM_ACTOR });
      log.info({ ...job, status: outcome.day.status, open: outcome.open }, "bill reconciled");
    },
  };
}

/** The daily reconciliation: every morning, its retries, and the start-up catch-up (`startDailyBillWork`). */
export async function startBillWorkers(boss: PgBoss, deps: BillWorkerDependencies): Promise<void> {
  await startDailyBillWork(boss, reconciliationWork(deps), deps.pollingIntervalSeconds);
}
