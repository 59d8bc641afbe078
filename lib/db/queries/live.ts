import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { refundEvents, refunds } from "../schema";

/**
 * A cheap fingerprint of an order's refunds for live pages: it changes whenever a refund changes or gains a
 * timeline event; `active` while any refund can still change without a person acting.
 */
export async function orderRefundsVersion(db: Db, orderId: number): Promise<{ version: string; active: boolean }> {
  const [row] = await db
    .select({
      count: sql<number>`count(distinct ${refunds.id})::int`,
      lastEvent: sql<string | null>`max(${refundEvents.id})::text`,
      active: sql<boolean>`coalesce(bool_or(${refunds.status} in ('PENDING', 'PROCESSING')), false)`,
    })
    .from(refunds)
    .leftJoin(refundEvents, eq(refundEvents.refundId, refunds.id))
    .where(eq(refunds.orderId, orderId));
  return { version: `${row?.count ?? 0}:${row?.lastEvent ?? 0}`, active: Boolean(row?.active) };
}
