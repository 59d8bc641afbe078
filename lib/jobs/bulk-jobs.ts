import { sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { Database } from "../db/client";
import { log } from "../log";
import { runBatch, type RunSettings } from "../bulk/run";
import { bulkRunSettings } from "../bulk/settings";
import { createItemQueues, enqueueSubmissions } from "./refund-jobs";

export const BULK_QUEUES = {
  run: "bulk-run",
  sweep: "bulk-sweep",
} as const;

interface RunJob {
  batchId: number;
}

/** "stately" per batch: however often a run is asked for, at most one waits and one runs. */
export async function createBulkQueues(boss: PgBoss): Promise<void> {
  // A run hands over after its slice (20 s), well within the item queues' two-minute expiry.
  await createItemQueues(boss, [{ name: BULK_QUEUES.run, retryLimit: 10, retryDelay: 5 }], BULK_QUEUES.sweep);
}

/** Queue a batch's run; `afterSeconds` lets a running job finish before its follow-up can be taken. */
export async function enqueueBulkRun(boss: PgBoss, batchId: number, afterSeconds = 0): Promise<void> {
  await boss.send(BULK_QUEUES.run, { batchId } satisfies RunJob, {
    singletonKey: `bulk:${batchId}`,
    startAfter: afterSeconds,
  });
}

export interface BulkWorkerDependencies {
  db: Database;
  settings?: RunSettings;
  pollingIntervalSeconds?: number;
}

/** Register this process's bulk workers: batch runs, and the sweep that restarts runs lost with their process. */
export async function startBulkWorkers(boss: PgBoss, deps: BulkWorkerDependencies): Promise<void> {
  await createBulkQueues(boss);
  const settings = deps.settings ?? bulkRunSettings();
  await boss.work<RunJob>(
    BULK_QUEUES.run,
    { batchSize: 4, pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 },
    async (jobs) => {
      await Promise.all(
        jobs.map(async (job) => {
          const outcome = await runBatch(deps.db, job.data.batchId, settings, (refunds) =>
            enqueueSubmissions(boss, refunds),
          );
          if (outcome.kind === "continue") await enqueueBulkRun(boss, job.data.batchId, 1);
          else log.info({ batchId: job.data.batchId, outcome: outcome.kind }, "bulk run ended");
        }),
      );
    },
  );
  await boss.work(BULK_QUEUES.sweep, () => sweepBulk(boss, deps.db));
  await boss.schedule(BULK_QUEUES.sweep, "* * * * *");
  await sweepBulk(boss, deps.db);
}

/**
 * A RUNNING batch without a run waiting or going (its process died between two slices) gets one. Batches whose run
 * is active are left alone: a second job for the same key could not be taken until the first ends.
 */
export async function sweepBulk(boss: PgBoss, db: Database): Promise<void> {
  const rows = await db.execute<{ id: number }>(sql`
    select b.id from bulk_batches b
    where b.status = 'RUNNING'
      and not exists (
        select 1 from pgboss.job j
        where j.name = ${BULK_QUEUES.run} and j.singleton_key = 'bulk:' || b.id and j.state < 'completed')`);
  for (const { id } of rows) await enqueueBulkRun(boss, Number(id));
  if (rows.length) log.info({ batches: rows.length }, "bulk sweep restarted runs");
}
