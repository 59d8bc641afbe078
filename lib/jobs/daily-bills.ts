import type PgBoss from "pg-boss";
import { BEIJING_TIME_ZONE } from "../beijing-time";
import { previousBillDate } from "../reconciliation/bill-date";
import { ensureQueue } from "./boss";
import { QUEUES } from "./refund-jobs";

/** WeChat publishes the previous day's bill after 10:00 Beijing time; half an hour later it is there. */
export const DAILY_CRON = "30 10 * * *";
/** How often days whose bill was missing or unusable are looked at again (each day carries its next attempt). */
const RETRY_CRON = "*/15 * * * *";

/** One merchant's bill of one day. */
export interface BillDayJob {
  merchantId: string;
  billDate: string;
}

/**
 * Work done every morning on each merchant's bill of yesterday: the reconciliation (REFUND bill) and the order
 * import (ALL bill) share this schedule, its retries and its start-up catch-up; they differ in these.
 */
export interface DailyBillWork {
  queues: {
    /** One merchant's day. */
    run: string;
    /** Every morning: yesterday, for every merchant the work concerns. */
    daily: string;
    /** Days whose next attempt is due. */
    retry: string;
  };
  /** The merchants whose bill of `billDate` this work takes. */
  merchantIds(billDate: string): Promise<string[]>;
  /** Whether a merchant's day was tried already: its retries are then the sweep's. */
  hasDay(merchantId: string, billDate: string): Promise<boolean>;
  /** Days whose retry is due at `now`. */
  dueDays(now: Date): Promise<BillDayJob[]>;
  /** Works on one day. */
  run(job: BillDayJob): Promise<void>;
}

export async function enqueueBillDay(boss: PgBoss, work: DailyBillWork, job: BillDayJob): Promise<void> {
  // One waiting and one running job per merchant and day, however often the cron, a retry and a start-up ask.
  await boss.send(work.queues.run, job, { singletonKey: `${job.merchantId}:${job.billDate}` });
}

/** Yesterday's bill of every merchant concerned; `onlyNew` leaves days already tried to their retries. */
export async function enqueueYesterday(
  boss: PgBoss,
  work: DailyBillWork,
  now: Date,
  options: { onlyNew?: boolean } = {},
): Promise<number> {
  const billDate = previousBillDate(now);
  let queued = 0;
  for (const merchantId of await work.merchantIds(billDate)) {
    if (options.onlyNew && (await work.hasDay(merchantId, billDate))) continue;
    await enqueueBillDay(boss, work, { merchantId, billDate });
    queued += 1;
  }
  return queued;
}

/** The pg-boss job of a day's run retries with back-off before it is dead-lettered. */
export const RETRIED_JOB = { retryLimit: 3, retryDelay: 300, retryBackoff: true, deadLetter: QUEUES.dead } as const;

/**
 * A pg-boss schedule at 10:30 Beijing time for yesterday, a sweep every 15 minutes for days whose retry is due, and on
 * start-up yesterday's bill if no instance has tried it yet (a fresh install, or a console that was down at 10:30).
 */
export async function startDailyBillWork(boss: PgBoss, work: DailyBillWork, pollingIntervalSeconds = 2): Promise<void> {
  await ensureQueue(boss, { name: work.queues.run, policy: "stately", ...RETRIED_JOB });
  for (const name of [work.queues.daily, work.queues.retry]) {
    await ensureQueue(boss, { name, policy: "singleton", deadLetter: QUEUES.dead });
  }
  const polling = { pollingIntervalSeconds };
  await boss.work<BillDayJob>(work.queues.run, polling, async (jobs) => {
    for (const job of jobs) await work.run(job.data);
  });
  await boss.work(work.queues.daily, polling, async () => {
    await enqueueYesterday(boss, work, new Date());
  });
  await boss.work(work.queues.retry, polling, async () => {
    for (const due of await work.dueDays(new Date())) await enqueueBillDay(boss, work, due);
  });
  await boss.schedule(work.queues.daily, DAILY_CRON, undefined, { tz: BEIJING_TIME_ZONE });
  await boss.schedule(work.queues.retry, RETRY_CRON);
  await enqueueYesterday(boss, work, new Date(), { onlyNew: true });
}
