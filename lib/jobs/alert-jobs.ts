import type PgBoss from "pg-boss";
import { dispatchAlerts, type DispatchDependencies } from "../alerts/dispatch";
import { scanForAlerts } from "../alerts/scan";
import type { Database } from "../db/client";
import { ensureQueue } from "./boss";
import { QUEUES } from "./refund-jobs";

export const ALERT_QUEUES = { run: "alerts-run" } as const;

export interface AlertWorkerDependencies {
  db: Database;
  stuckMinutes: number;
  dispatch: Omit<DispatchDependencies, "now">;
}

/** One look a minute, on one instance at a time: raise what the scan finds, send what is waiting, grouped. */
export async function startAlertWorkers(boss: PgBoss, deps: AlertWorkerDependencies): Promise<void> {
  await ensureQueue(boss, { name: QUEUES.dead, retentionDays: 30 });
  await ensureQueue(boss, { name: ALERT_QUEUES.run, policy: "singleton", deadLetter: QUEUES.dead });
  await boss.work(ALERT_QUEUES.run, async () => {
    const now = new Date();
    await scanForAlerts(deps.db, { now, stuckMinutes: deps.stuckMinutes });
    await dispatchAlerts(deps.db, { ...deps.dispatch, now });
  });
  await boss.schedule(ALERT_QUEUES.run, "* * * * *");
}
