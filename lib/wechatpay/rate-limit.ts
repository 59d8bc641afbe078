import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export interface RateLimits {
  /** WeChat: at most 150 refund requests per second per merchant. */
  requestsPerSecond: number;
  /** WeChat: at most 6 erroneous requests per second; past that, stop for the rest of the second. */
  errorsPerSecond: number;
}

export const WECHAT_REFUND_LIMITS: RateLimits = { requestsPerSecond: 150, errorsPerSecond: 6 };

/**
 * WeChat counts requests as they arrive, in any one-second span; the limiter spaces them as they leave. Pacing 5 %
 * under the limit absorbs the jitter in between (signing, a busy event loop, the network, WeChat's own): the
 * requests of a second may arrive 50 ms closer together than they left without the span holding more than the
 * limit. At 3 % a 3,000-refund run on two loaded cores still drew 2 FREQUENCY_LIMITED.
 */
const PACED_SHARE = 0.95;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * This process's last departure per bucket. The shared schedule says when a request may leave at the earliest; a
 * process that stalls (a long GC, a busy event loop) would then send every request whose moment passed meanwhile at
 * once, and WeChat's sliding second would hold them and the ones on time. Spacing this process's own departures by
 * the interval too turns a stall into a gap instead (the 10,000-row bulk bench drew 32 FREQUENCY_LIMITED without it).
 */
const lastDeparture = new Map<string, number>();

/**
 * A limiter shared through PostgreSQL (the clock is the database's, so instances agree on time). Each request takes
 * the bucket's next free moment and moves it on by one interval, in one statement: requests leave evenly spaced at
 * 95 % of the limit, whichever instance sends them, so no one-second span at WeChat ever holds more than the limit.
 * (Per-second windows let a full second's requests leave at the end of one second and the next second's at the
 * start of the next: WeChat's sliding second saw up to twice the limit.) ADR 023.
 */
export class SharedRateLimiter {
  private readonly intervalMs: number;

  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly limits: RateLimits = WECHAT_REFUND_LIMITS,
  ) {
    this.intervalMs = 1000 / (limits.requestsPerSecond * PACED_SHARE);
  }

  /** Waits for this request's moment. */
  async acquire(): Promise<void> {
    const interval = sql`(${this.intervalMs}::float8 * interval '1 millisecond')`;
    const rows = await this.db.execute<{ wait_ms: number }>(sql`
      insert into rate_limit_schedules (bucket, next_at) values (${this.key}, clock_timestamp() + ${interval})
      on conflict (bucket) do update
        set next_at = greatest(rate_limit_schedules.next_at, clock_timestamp()) + ${interval}
      returning extract(epoch from next_at - clock_timestamp()) * 1000 - ${this.intervalMs}::float8 as wait_ms`);
    const waitMs = Number([...rows][0]?.wait_ms ?? 0);
    if (waitMs > 0) await sleep(waitMs);
    const now = performance.now();
    const departure = Math.max(now, (lastDeparture.get(this.key) ?? Number.NEGATIVE_INFINITY) + this.intervalMs);
    lastDeparture.set(this.key, departure);
    if (departure > now) await sleep(departure - now);
  }

  /**
   * Counts an error answer; the one that reaches the error limit within a second moves the bucket's next moment a
   * whole second on, for every instance. Requests that already took a moment before it still leave.
   */
  async recordError(): Promise<void> {
    await this.db.execute(sql`
      with counted as (
        insert into rate_limit_windows (bucket, window_start, count)
        values (${`${this.key}:errors`}, date_trunc('second', clock_timestamp()), 1)
        on conflict (bucket, window_start) do update set count = rate_limit_windows.count + 1
        returning count
      )
      insert into rate_limit_schedules (bucket, next_at)
      select ${this.key}, clock_timestamp() + interval '1 second' from counted where count >= ${this.limits.errorsPerSecond}
      on conflict (bucket) do update
        set next_at = greatest(rate_limit_schedules.next_at, excluded.next_at)`);
  }

  /** Drop windows older than a minute; called now and then, any instance may do it. */
  static async prune(db: Db): Promise<void> {
    await db.execute(sql`delete from rate_limit_windows where window_start < now() - interval '1 minute'`);
  }
}
