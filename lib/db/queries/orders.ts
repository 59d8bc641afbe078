import { and, eq, getTableColumns, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client";
import { merchants, orders } from "../schema";
import { beijingDayRange, containsPattern, dayParam, yuanParamToFen } from "./filters";
import { cursorColumn, keysetPage, type ListOrder } from "./keyset";

export const ORDER_REFUND_STATES = ["none", "partial", "full", "in_progress"] as const;
export type OrderRefundState = (typeof ORDER_REFUND_STATES)[number];

/** The orders list's filters, as they stand in the URL. Invalid values are dropped, not errors: a URL is shareable. */
export const orderFiltersSchema = z.object({
  q: z.string().trim().max(128).optional().catch(undefined),
  state: z.enum(ORDER_REFUND_STATES).optional().catch(undefined),
  from: dayParam,
  to: dayParam,
  minFen: z.coerce.number().int().min(0).optional().catch(undefined),
  maxFen: z.coerce.number().int().min(0).optional().catch(undefined),
  after: z.string().optional().catch(undefined),
});
export type OrderFilters = z.infer<typeof orderFiltersSchema>;

/** The orders list's URL (`min`/`max` in yuan) as filters; the list page and the CSV export both read it so. */
export function parseOrderFilters(params: Record<string, string | undefined>): OrderFilters {
  return orderFiltersSchema.parse({
    ...params,
    minFen: yuanParamToFen(params.min),
    maxFen: yuanParamToFen(params.max),
  });
}

export function refundState(o: { totalFen: number; refundedFen: number; inFlightFen: number }): OrderRefundState {
  if (o.inFlightFen > 0) return "in_progress";
  if (o.refundedFen === 0) return "none";
  return o.refundedFen >= o.totalFen ? "full" : "partial";
}

const STATE_CONDITIONS: Record<OrderRefundState, SQL> = {
  in_progress: sql`${orders.inFlightFen} > 0`,
  none: sql`${orders.inFlightFen} = 0 and ${orders.refundedFen} = 0`,
  full: sql`${orders.inFlightFen} = 0 and ${orders.refundedFen} = ${orders.totalFen}`,
  partial: sql`${orders.inFlightFen} = 0 and ${orders.refundedFen} > 0 and ${orders.refundedFen} < ${orders.totalFen}`,
};

/**
 * What a search matches: an order or transaction number exactly (b-tree lookups), else, from three characters, part
 * of an order number or of a description (the trigram indexes). Exact first because a pasted number means that
 * order, and because the partial match reads every merchant's trigram entries: at 10 M orders it took 100–170 ms
 * even when the number existed (docs/scaling.md), where the exact lookup takes a millisecond.
 */
async function searchCondition(db: Db, merchantId: string, q: string): Promise<SQL> {
  const exact = or(eq(orders.outTradeNo, q), eq(orders.transactionId, q))!;
  if (q.length < 3) return exact;
  const [found] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.merchantId, merchantId), exact))
    .limit(1);
  if (found) return exact;
  const pattern = containsPattern(q);
  return or(ilike(orders.outTradeNo, pattern), ilike(orders.description, pattern))!;
}

/**
 * The list's filters (all but the page cursor) as conditions, shared by the list and the CSV export; the merchant is
 * always the first, so no list or export ever crosses merchants.
 */
export async function orderListConditions(
  db: Db,
  merchantId: string,
  filters: OrderFilters,
): Promise<(SQL | undefined)[]> {
  const conditions: (SQL | undefined)[] = [eq(orders.merchantId, merchantId)];
  if (filters.q) conditions.push(await searchCondition(db, merchantId, filters.q));
  if (filters.state) conditions.push(STATE_CONDITIONS[filters.state]);
  conditions.push(...beijingDayRange(orders.paidAt, filters.from, filters.to));
  if (filters.minFen !== undefined) conditions.push(gte(orders.totalFen, filters.minFen));
  if (filters.maxFen !== undefined) conditions.push(lte(orders.totalFen, filters.maxFen));
  return conditions;
}

/** An order as lists and refund pages show it: numbers, description, amounts and the cached refund sums. */
export const orderSummaryColumns = {
  id: orders.id,
  outTradeNo: orders.outTradeNo,
  transactionId: orders.transactionId,
  description: orders.description,
  totalFen: orders.totalFen,
  refundedFen: orders.refundedFen,
  inFlightFen: orders.inFlightFen,
  refundCount: orders.refundCount,
  paidAt: orders.paidAt,
};

const orderListOrder: ListOrder = { at: orders.paidAt, id: orders.id };

export async function listOrders(db: Db, merchantId: string, filters: OrderFilters, pageSize = 50) {
  const query = db
    .select({ ...orderSummaryColumns, ...cursorColumn(orderListOrder) })
    .from(orders)
    .$dynamic();
  const page = await keysetPage(
    query,
    orderListOrder,
    await orderListConditions(db, merchantId, filters),
    filters.after,
    pageSize,
  );
  return { ...page, rows: page.rows.map((r) => ({ ...r, state: refundState(r) })) };
}

export type OrderListRow = Awaited<ReturnType<typeof listOrders>>["rows"][number];

/** One order of this merchant with its merchant's settings, for the order page; null when this merchant has no such order. */
export async function getOrderDetail(db: Db, merchantId: string, id: number) {
  const [row] = await db
    .select({
      ...getTableColumns(orders),
      merchantName: merchants.displayName,
      mchid: merchants.mchid,
      subMchid: merchants.subMchid,
      approvalThresholdFen: merchants.approvalThresholdFen,
      merchantActive: merchants.active,
    })
    .from(orders)
    .innerJoin(merchants, eq(merchants.id, orders.merchantId))
    .where(and(eq(orders.id, id), eq(orders.merchantId, merchantId)))
    .limit(1);
  return row ? { ...row, state: refundState(row) } : null;
}
