import { sql } from "drizzle-orm";
import type { Db } from "./client";

/**
 * Counts one event in the current minute of each bucket, shared by every instance (rate_limit_windows, on the
 * database's clock), and returns each bucket's count including it, in the order given. Old windows are pruned by
 * the refund sweep (`pruneCounterWindows`). The buckets must differ from one another.
 */
export async function countThisMinute(db: Db, buckets: readonly string[]): Promise<number[]> {
  const values = buckets.map((bucket) => sql`(${bucket}, date_trunc('minute', clock_timestamp()), 1)`);
  const rows = await db.execute<{ bucket: string; count: number }>(sql`
    insert into rate_limit_windows (bucket, window_start, count) values ${sql.join(values, sql`, `)}
    on conflict (bucket, window_start) do update set count = rate_limit_windows.count + 1
    returning bucket, count`);
  const counts = new Map([...rows].map((r) => [r.bucket, Number(r.count)]));
  return buckets.map((b) => counts.get(b) ?? 0);
}

/** Each bucket's count in the current minute, without counting anything. */
export async function countsThisMinute(db: Db, buckets: readonly string[]): Promise<number[]> {
  const rows = await db.execute<{ bucket: string; count: number }>(sql`
    select bucket, count from rate_limit_windows
    where window_start = date_trunc('minute', clock_timestamp())
      and bucket in (${sql.join(
        buckets.map((b) => sql`${b}`),
        sql`, `,
      )})`);
  const counts = new Map([...rows].map((r) => [r.bucket, Number(r.count)]));
  return buckets.map((b) => counts.get(b) ?? 0);
}

/** Drops windows older than a minute (these counters', the bulk feed's); the refund sweep calls it, on any instance. */
export async function pruneCounterWindows(db: Db): Promise<void> {
  await db.execute(sql`delete from rate_limit_windows where window_start < now() - interval '1 minute'`);
}
