import type PgBoss from "pg-boss";
import type postgres from "postgres";
import type { Database } from "../db/client";
import { log } from "../log";
import { attemptDelivery, dueDeliveries, type DeliveryDependencies } from "../webhooks/deliver";
import { OUTBOX_CHANNEL } from "../webhooks/outbox";
import { createItemQueues } from "./refund-jobs";
import { purgeWebhookHistory } from "../webhooks/retention";

export const WEBHOOK_QUEUES = {
  deliver: "webhook-deliver",
  sweep: "webhook-sweep",
} as const;

interface DeliverJob {
  deliveryId: number;
}

/** "stately" per delivery: however often it is queued, one waits and one runs; a dead worker's job expires. */
export async function createWebhookQueues(boss: PgBoss): Promise<void> {
  await createItemQueues(boss, [{ name: WEBHOOK_QUEUES.deliver, retryLimit: 3, retryDelay: 10 }], WEBHOOK_QUEUES.sweep);
}

async function enqueue(boss: PgBoss, deliveryId: number, at?: Date): Promise<void> {
  const startAfter = at ? Math.max(0, Math.ceil((at.getTime() - Date.now()) / 1000)) : 0;
  await boss.send(WEBHOOK_QUEUES.deliver, { deliveryId } satisfies DeliverJob, {
    singletonKey: `webhook-delivery:${deliveryId}`,
    startAfter,
  });
}

/** Queue every delivery that may go now: the outbox is the truth, the jobs only carry it out. */
export async function enqueueDueDeliveries(boss: PgBoss, db: Database): Promise<number> {
  const ids = await dueDeliveries(db, new Date());
  for (const id of ids) await enqueue(boss, id);
  return ids.length;
}

export interface WebhookWorkerDependencies {
  db: Database;
  /** The connection that LISTENs for committed outbox rows; without one, the minute sweep alone finds them. */
  listener?: postgres.Sql;
  delivery: DeliveryDependencies;
  /** Finished deliveries, their attempts and unneeded events older than this many days are deleted by the sweep. */
  historyRetentionDays: number;
  pollingIntervalSeconds?: number;
}

/**
 * Register this process's webhook workers. New events are noticed at once through NOTIFY (sent by the transaction
 * that wrote them, so only once it commits), and every minute by the sweep, which also finds deliveries whose
 * retry time has come and those a dead process left behind.
 */
export async function startWebhookWorkers(boss: PgBoss, deps: WebhookWorkerDependencies): Promise<() => Promise<void>> {
  await createWebhookQueues(boss);
  await boss.work<DeliverJob>(
    WEBHOOK_QUEUES.deliver,
    { batchSize: 5, pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1 },
    async (jobs) => {
      await Promise.all(
        jobs.map(async (job) => {
          const result = await attemptDelivery(deps.db, job.data.deliveryId, deps.delivery);
          if (result.kind === "retry") await enqueue(boss, job.data.deliveryId, result.at);
        }),
      );
      // A delivered event may have been holding the next one about the same refund back.
      await enqueueDueDeliveries(boss, deps.db);
    },
  );
  await boss.work(WEBHOOK_QUEUES.sweep, async () => {
    const queued = await enqueueDueDeliveries(boss, deps.db);
    if (queued) log.info({ queued }, "webhook sweep queued deliveries");
    const purged = await purgeWebhookHistory(deps.db, deps.historyRetentionDays);
    if (purged.deliveries || purged.events) log.info(purged, "webhook sweep purged old history");
  });
  await boss.schedule(WEBHOOK_QUEUES.sweep, "* * * * *");

  let listening: { unlisten: () => Promise<void> } | undefined;
  if (deps.listener) {
    // Many commits in a burst need one look at the outbox, not one each; a commit during a look gets one more.
    let running = false;
    let again = false;
    const kick = () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      again = false;
      void enqueueDueDeliveries(boss, deps.db)
        .catch((error) => log.error({ err: error }, "queueing webhook deliveries failed"))
        .finally(() => {
          running = false;
          if (again) kick();
        });
    };
    listening = await deps.listener.listen(OUTBOX_CHANNEL, kick);
  }
  await enqueueDueDeliveries(boss, deps.db);
  return async () => {
    await listening?.unlisten();
  };
}
