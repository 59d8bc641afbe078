import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export interface RateLimits {
  /** WeChat: at most 150 refund requests per second per merchant. */
  requestsPerSecond: number;
  /** WeChat: at most 6 erroneous requests per second; past that, stop for the rest of the second. */
  errorsPerSecond: number;
}

export const WECHAT_REFUND_LIMITS: RateLimits = { requestsPerSecond: 150, errorsPerSecond: 6 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Count one event in the current second of a bucket, across every instance; returns the count including it. */
async function increment(db: Db, bucket: string): Promise<{ count: number; msLeft: number }> {
  const rows = await db.execute<{ count: number; ms_left: number }>(sql`
    insert into rate_limit_windows (bucket, window_start, count)
    values (${bucket}, date_trunc('second', clock_timestamp()), 1)
    on conflict (bucket, window_start) do update set count = rate_limit_windows.count + 1
    returning count, (1000 - extract(milliseconds from clock_timestamp())::int % 1000) as ms_left`);
  const row = [...rows][0];
  return { count: Number(row?.count ?? 1), msLeft: Number(row?.ms_left ?? 1000) };
}

async function current(db: Db, bucket: string): Promise<{ count: number; msLeft: number }> {
  const rows = await db.execute<{ count: number | null; ms_left: number }>(sql`
    select (select count from rate_limit_windows where bucket = ${bucket} and window_start = date_trunc('second', clock_timestamp())) as count,
           (1000 - extract(milliseconds from clock_timestamp())::int % 1000) as ms_left`);
  const row = [...rows][0];
  return { count: Number(row?.count ?? 0), msLeft: Number(row?.ms_left ?? 1000) };
}

/**
 * A limiter shared through PostgreSQL (the clock is the database's, so instances agree on the second).
 * `acquire` waits until the merchant may send one more request this second and no error storm is on.
 */
export class SharedRateLimiter {
  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly limits: RateLimits = WECHAT_REFUND_LIMITS,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const errors = await current(this.db, `${this.key}:errors`);
      if (errors.count >= this.limits.errorsPerSecond) {
        await sleep(errors.msLeft + 5);
        continue;
      }
      const slot = await increment(this.db, `${this.key}:requests`);
      if (slot.count <= this.limits.requestsPerSecond) return;
      await sleep(slot.msLeft + 5);
    }
  }

  async recordError(): Promise<void> {
    await increment(this.db, `${this.key}:errors`);
  }

  /** Drop windows older than a minute; called now and then, any instance may do it. */
  static async prune(db: Db): Promise<void> {
    await db.execute(sql`delete from rate_limit_windows where window_start < now() - interval '1 minute'`);
  }
}
