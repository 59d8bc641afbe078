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
 * This process's own departures per bucket, one at a time. The shared schedule says when a request may leave at the
 * earliest; a process that stalls (a long GC, a busy event loop) would then send every request whose moment passed
 * meanwhile at once, and WeChat's sliding second would hold them and the ones on time (the 10,000-row bulk bench drew
 * 32 FREQUENCY_LIMITED so). Requests therefore also pass this process's gate in turn, checked as each leaves. The
 * gate keeps a grid one paced interval apart: `theoretical` is the next request's point on it. A request leaves at
 * its point or, if it comes later, when it comes; less than an interval late is a timer's jitter and the grid stays
 * (starting it again from each late departure cost bulk a sixth of its rate), an interval or more is a stall and the
 * grid starts again from now — a gap, never a burst. Each departure lies within an interval after its point, so any
 * second holds at most 1000 / interval + 2 of them: 144 at WeChat's 150/s, within the 5 % kept aside.
 */
interface DepartureGate {
  theoretical: number;
  turn: Promise<void>;
}
const gates = new Map<string, DepartureGate>();

/** The grid's point after a request that was due at `point` left at `left` (see `gates`). */
export function nextGridPoint(point: number, left: number, intervalMs: number): number {
  return left - point < intervalMs ? point + intervalMs : left + intervalMs;
}

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
    await this.passGate();
  }

  /** Leaves in turn, at this request's point on this process's grid or later (see `gates`). */
  private passGate(): Promise<void> {
    let gate = gates.get(this.key);
    if (!gate) {
      gate = { theoretical: Number.NEGATIVE_INFINITY, turn: Promise.resolve() };
      gates.set(this.key, gate);
    }
    const { intervalMs } = this;
    const own = gate;
    own.turn = own.turn.then(async () => {
      const early = own.theoretical - performance.now();
      if (early > 0) await sleep(early);
      own.theoretical = nextGridPoint(own.theoretical, performance.now(), intervalMs);
    });
    return own.turn;
  }

  /**
   * Counts an error answer in the bucket's last second — a sliding second, as WeChat counts, so errors either side of
   * a second's boundary count together. The one that brings them to the limit moves the bucket's next moment a whole
   * second on, for every instance. Requests that already took a moment before it still leave. One statement: the
   * row's lock orders concurrent errors, and each counts those committed before it.
   */
  async recordError(): Promise<void> {
    // On a conflict `excluded.next_at` is this error's moment (the inserted row's), read once for the whole statement.
    await this.db.execute(sql`
      insert into rate_limit_schedules as s (bucket, next_at, recent_errors)
      select ${this.key}, errored.at, array[errored.at] from (select clock_timestamp() as at) errored
      on conflict (bucket) do update set (recent_errors, next_at) = (
        select recent, case when cardinality(recent) >= ${this.limits.errorsPerSecond}
          then greatest(s.next_at, excluded.next_at + interval '1 second') else s.next_at end
        from (
          select array(
            select moment from unnest(s.recent_errors) moment where moment > excluded.next_at - interval '1 second'
          ) || excluded.next_at as recent
        ) counted
      )`);
  }
}
