import { and, count, eq, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { refunds } from "../db/schema";

/**
 * How fast bulk runs feed refunds to the submission queue, per merchant across every batch and instance.
 * WeChat Pay takes 150 refund requests per second per merchant; feeding at most `rowsPerSecond` (default 100) in
 * short windows keeps the sending rate under that in any one-second span, with room for the console's other refunds.
 */
export interface FeedLimits {
  rowsPerSecond: number;
  /** Length of one feeding window; smaller windows mean smoother sending. */
  windowMs: number;
}

export const perWindow = (limits: FeedLimits) =>
  Math.max(1, Math.floor((limits.rowsPerSecond * limits.windowMs) / 1000));

/**
 * Claim up to `wanted` rows of the merchant's current feeding window (rate_limit_windows, on the database's clock so
 * every instance agrees); returns how many were granted. Over-claims only inflate a window that is already full.
 */
export async function claimFeedSlots(db: Db, merchantId: string, wanted: number, limits: FeedLimits): Promise<number> {
  if (wanted <= 0) return 0;
  const rows = await db.execute<{ count: number }>(sql`
    insert into rate_limit_windows (bucket, window_start, count)
    values (${`bulk-feed:${merchantId}`}, to_timestamp(floor(extract(epoch from clock_timestamp()) * 1000 / ${limits.windowMs}) * ${limits.windowMs} / 1000.0), ${wanted})
    on conflict (bucket, window_start) do update set count = rate_limit_windows.count + excluded.count
    returning count`);
  const total = Number([...rows][0]?.count ?? wanted);
  return Math.max(0, Math.min(wanted, perWindow(limits) - (total - wanted)));
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
