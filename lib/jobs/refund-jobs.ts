import type PgBoss from "pg-boss";
import { ensureQueue } from "./boss";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { refunds, type Refund } from "../db/schema";
import { log } from "../log";
import { endInterruptedApplications } from "../refunds/bank-card-applications";
import { reconcileRefund } from "../refunds/reconcile";
import { submitRefund, type GatewayResolver } from "../refunds/submit";
import { purgeRefusedCallbacks } from "../notifications/refused";
import { pruneCounterWindows } from "../db/minute-counters";

export const QUEUES = {
  submit: "refund-submit",
  reconcile: "refund-reconcile",
  sweep: "refund-sweep",
  dead: "refund-dead",
} as const;

interface SubmitJob {
  refundId: number;
  /** The refund's merchant, so the worker need not look it up (absent in jobs queued before it was carried). */
  merchantId?: string;
}
interface ReconcileJob {
  refundId: number;
  round: number;
}

/** An item queue: its name and how its jobs retry before they are dead-lettered. */
type ItemQueue = PgBoss.Queue & { name: string };

/**
 * The queues of jobs run per item (a refund, a bulk batch, a webhook delivery) and found again by a sweep: the
 * dead-letter queue, each item queue "stately" (per singletonKey one job waiting and one running) with an expiry of
 * two minutes, after which a running job counts as its dead worker's, and the sweep's singleton queue. Jobs that keep
 * failing end in the dead-letter queue, visible on the jobs page, never silently.
 */
export async function createItemQueues(boss: PgBoss, items: ItemQueue[], sweep: string): Promise<void> {
  await ensureQueue(boss, { name: QUEUES.dead, retentionDays: 30 });
  for (const item of items) {
    await ensureQueue(boss, { policy: "stately", expireInSeconds: 120, deadLetter: QUEUES.dead, ...item });
  }
  await ensureQueue(boss, { name: sweep, policy: "singleton", deadLetter: QUEUES.dead });
}

export async function createRefundQueues(boss: PgBoss): Promise<void> {
  // "stately": per refund (singletonKey) at most one job waiting and one running, however often the sweep or a
  // retry asks; a running job may queue its own follow-up.
  //
  // A job whose worker died (SIGKILL, crash) stays "active" until it expires, and while it does, stately blocks the
  // refund's next job — and pg-boss's fetch then hands out nothing at all. A submission or query ends well within a
  // minute (HTTP timeouts, the submission lease), so an active job older than two minutes is a dead worker's.
  const retries = { retryLimit: 5, retryDelay: 30, retryBackoff: true };
  await createItemQueues(
    boss,
    [QUEUES.submit, QUEUES.reconcile].map((name) => ({ name, ...retries })),
    QUEUES.sweep,
  );
}

const SUBMIT_BATCH_SIZE = 10;
const SUBMIT_LOOPS = 5;

const secondsUntil = (at: Date | null | undefined) =>
  Math.max(0, Math.ceil(((at?.getTime() ?? 0) - Date.now()) / 1000));

/**
 * A refund's submission job, for its scheduled time (`afterMs` from now for a retry). `immediate` (an operator's
 * "Retry now") gets its own key so a back-off already waiting does not swallow it; two submissions at once are
 * harmless because each is leased.
 */
function submissionJob(
  refund: { id: number; merchantId?: string },
  when: { at: Date | null } | { afterMs: number },
  options: { immediate?: boolean } = {},
): PgBoss.JobInsert<SubmitJob> {
  const refundId = refund.id;
  const seconds = "afterMs" in when ? Math.ceil(when.afterMs / 1000) : secondsUntil(when.at);
  return {
    name: QUEUES.submit,
    data: { refundId, merchantId: refund.merchantId },
    // On the database's clock, as `send` counts it.
    startAfter: `${seconds} seconds`,
    singletonKey: options.immediate ? `refund:${refundId}:now:${Date.now()}` : `refund:${refundId}`,
  };
}

function reconcileJob(refundId: number, round: number, afterMs: number): PgBoss.JobInsert<ReconcileJob> {
  return {
    name: QUEUES.reconcile,
    data: { refundId, round },
    startAfter: `${Math.ceil(afterMs / 1000)} seconds`,
    singletonKey: `refund:${refundId}`,
  };
}

/**
 * Puts jobs on their queues in one statement, each queue's policy applying as with `send` (a stately queue keeps
 * one waiting job per key and drops the rest).
 */
async function insertJobs(boss: PgBoss, jobs: PgBoss.JobInsert[]): Promise<void> {
  if (jobs.length > 0) await boss.insert(jobs);
}

/** A refund to submit: which, whose, and when. */
type QueuedRefund = Pick<Refund, "id" | "merchantId" | "scheduledAt">;

/** Queue a refund's submission for its scheduled time (see `submissionJob`). */
export async function enqueueSubmission(
  boss: PgBoss,
  refund: QueuedRefund,
  options: { immediate?: boolean } = {},
): Promise<void> {
  await enqueueSubmissions(boss, [refund], options);
}

/** Queue several refunds' submissions in one statement (a bulk run's window). */
export async function enqueueSubmissions(
  boss: PgBoss,
  refunds: QueuedRefund[],
  options: { immediate?: boolean } = {},
): Promise<void> {
  await insertJobs(
    boss,
    refunds.map((refund) => submissionJob(refund, { at: refund.scheduledAt }, options)),
  );
}

export async function enqueueReconcile(boss: PgBoss, refundId: number, round: number, afterMs: number): Promise<void> {
  await insertJobs(boss, [reconcileJob(refundId, round, afterMs)]);
}

export interface WorkerDependencies {
  db: Database;
  resolveGateway: GatewayResolver;
  notifyUrl?: string;
  /** WeChat advises the first query about a minute after acceptance. */
  firstReconcileMs?: number;
  /** How often an idle worker looks for jobs. */
  pollingIntervalSeconds?: number;
  /** Refused callbacks older than this many days are deleted by the sweep; unset, none are. */
  refusedCallbackRetentionDays?: number;
}

/** Register this process's workers: submissions, reconciliation, and the sweep that finds anything left behind. */
export async function startRefundWorkers(boss: PgBoss, deps: WorkerDependencies): Promise<void> {
  await createRefundQueues(boss);

  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1 };
  // Several polling loops, each taking a batch: a loop fetches again only when its batch is done, so one loop alone
  // would cap submissions at a batch per round trip — far below WeChat's 150/s in a bulk run. The shared rate
  // limiter, not the loops, decides what reaches WeChat.
  for (let loop = 0; loop < SUBMIT_LOOPS; loop++) {
    let submitWorker = "";
    submitWorker = await boss.work<SubmitJob>(
      QUEUES.submit,
      { batchSize: SUBMIT_BATCH_SIZE, ...polling },
      async (jobs) => {
        // A full batch means more are waiting: fetch again at once rather than after the polling interval.
        if (jobs.length === SUBMIT_BATCH_SIZE) boss.notifyWorker(submitWorker);
        const outcomes = await Promise.allSettled(
          jobs.map(async (job) => {
            const { refundId, merchantId } = job.data;
            const outcome = await submitRefund(deps.db, deps.resolveGateway, refundId, {
              notifyUrl: deps.notifyUrl,
              merchantId,
            });
            if (outcome.kind === "retry")
              return submissionJob({ id: refundId, merchantId }, { afterMs: outcome.afterMs });
            if (outcome.status === "PROCESSING") return reconcileJob(refundId, 0, deps.firstReconcileMs ?? 60_000);
            return null;
          }),
        );
        // The batch's follow-ups in one statement; those of the jobs that did finish even when another failed.
        await insertJobs(
          boss,
          outcomes.flatMap((o) => (o.status === "fulfilled" && o.value ? [o.value] : [])),
        );
        const failed = outcomes.find((o) => o.status === "rejected");
        if (failed) throw failed.reason;
      },
    );
  }

  await boss.work<ReconcileJob>(QUEUES.reconcile, { batchSize: 5, ...polling }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        const outcome = await reconcileRefund(deps.db, deps.resolveGateway, job.data.refundId, job.data.round);
        if (outcome.kind === "again")
          await enqueueReconcile(boss, job.data.refundId, job.data.round + 1, outcome.afterMs);
      }),
    );
  });

  await boss.work(QUEUES.sweep, async () => {
    await sweep(boss, deps.db);
    await pruneCounterWindows(deps.db);
    if (deps.refusedCallbackRetentionDays !== undefined) {
      await purgeRefusedCallbacks(deps.db, deps.refusedCallbackRetentionDays);
    }
  });
  await boss.schedule(QUEUES.sweep, "*/5 * * * *");
  await sweep(boss, deps.db);
}

/**
 * Pick up what a crash left behind: refunds whose job was lost (between commit and enqueue, a worker killed mid-call),
 * PENDING ones past their time and PROCESSING ones that nothing has reconciled for a while; and approved bank-card
 * applications whose sending was cut short, ended with their card cleared.
 */
export async function sweep(boss: PgBoss, db: Database): Promise<void> {
  const stalePending = await db
    .select({ id: refunds.id, merchantId: refunds.merchantId, scheduledAt: refunds.scheduledAt })
    .from(refunds)
    .where(
      and(
        eq(refunds.status, "PENDING"),
        // No time at all is due too: a refund recorded without one (seeded, or approved before times were kept).
        or(isNull(refunds.scheduledAt), lt(refunds.scheduledAt, sql`now() - interval '2 minutes'`)),
        lt(refunds.updatedAt, sql`now() - interval '2 minutes'`),
      ),
    )
    .limit(1000);
  for (const refund of stalePending) await enqueueSubmission(boss, refund);
  const staleProcessing = await db
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.status, "PROCESSING"), lt(refunds.updatedAt, sql`now() - interval '10 minutes'`)))
    .limit(1000);
  for (const refund of staleProcessing) await enqueueReconcile(boss, refund.id, 3, 0);
  if (stalePending.length || staleProcessing.length) {
    log.info({ pending: stalePending.length, processing: staleProcessing.length }, "sweep re-queued refunds");
  }
  const interrupted = await db.transaction((tx) => endInterruptedApplications(tx, new Date()));
  if (interrupted) log.warn({ applications: interrupted }, "sweep ended interrupted bank-card applications");
}
