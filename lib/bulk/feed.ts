import { and, count, eq, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { refunds } from "../db/schema";

/**
 * How fast bulk runs feed refunds to the submission queue, per merchant across every batch and instance: at most
 * `rowsPerSecond` (BULK_ROWS_PER_SECOND, default 100) in any second of the database's clock, a window's worth at a
 * time. What reaches WeChat is paced by the shared rate limiter (lib/wechatpay/rate-limit.ts); feeding only keeps the
 * queue short and leaves room for the merchant's other refunds.
 */
export interface FeedLimits {
  rowsPerSecond: number;
  /** How often a run feeds: a window's worth of rows each time. */
  windowMs: number;
}

export const perWindow = (limits: FeedLimits) =>
  Math.max(1, Math.floor((limits.rowsPerSecond * limits.windowMs) / 1000));

/**
 * Claim up to `wanted` rows of the merchant's feeding quota for the current second (rate_limit_windows, on the
 * database's clock so every instance agrees); returns how many were granted. A run that fell behind within the second
 * may claim what it owes; together the runs never get more than `rowsPerSecond` in a second. Over-claims only
 * inflate a second that is already full.
 */
export async function claimFeedSlots(db: Db, merchantId: string, wanted: number, limits: FeedLimits): Promise<number> {
  if (wanted <= 0) return 0;
  const rows = await db.execute<{ count: number }>(sql`
    insert into rate_limit_windows (bucket, window_start, count)
    values (${`bulk-feed:${merchantId}`}, date_trunc('second', clock_timestamp()), ${wanted})
    on conflict (bucket, window_start) do update set count = rate_limit_windows.count + excluded.count
    returning count`);
  const total = Number([...rows][0]?.count ?? wanted);
  return Math.max(0, Math.min(wanted, limits.rowsPerSecond - (total - wanted)));
}

/**
 * Refunds of the merchant due now that no worker has sent yet. Bulk runs wait while this is more than a second's
 * worth: feeding faster than the submission workers send would only build a queue that then leaves in a burst.
 */
export async function unsentBacklog(db: Db, merchantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, merchantId),
        eq(refunds.status, "PENDING"),
        isNull(refunds.submittedAt),
        lte(refunds.scheduledAt, sql`now()`),
      ),
    );
  return row?.n ?? 0;
}
