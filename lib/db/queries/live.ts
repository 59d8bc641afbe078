import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { orders, refundEvents, refunds } from "../schema";

/**
 * A cheap fingerprint of an order's refunds for live pages: it changes whenever a refund changes or gains a
 * timeline event; `active` while any refund can still change without a person acting. Null when this merchant has no
 * such order.
 */
export async function orderRefundsVersion(
  db: Db,
  merchantId: string,
  orderId: number,
): Promise<{ version: string; active: boolean } | null> {
  const [row] = await db
    .select({
      count: sql<number>`count(distinct ${refunds.id})::int`,
      lastEvent: sql<string | null>`max(${refundEvents.id})::text`,
      active: sql<boolean>`coalesce(bool_or(${refunds.status} in ('PENDING', 'PROCESSING')), false)`,
    })
    .from(orders)
    .leftJoin(refunds, eq(refunds.orderId, orders.id))
    .leftJoin(refundEvents, eq(refundEvents.refundId, refunds.id))
    .where(and(eq(orders.id, orderId), eq(orders.merchantId, merchantId)))
    .groupBy(orders.id);
  if (!row) return null;
  return { version: `${row.count}:${row.lastEvent ?? 0}`, active: Boolean(row.active) };
}
