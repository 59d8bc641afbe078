import {
  and,
  asc,
  count,
  desc,
  eq,
  exists,
  getTableColumns,
  gte,
  inArray,
  isNotNull,
  lte,
  type SQL,
} from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "../client";
import {
  merchants,
  orders,
  refundEvents,
  refundNeedsAttention,
  refunds,
  refundStatus,
  users,
  type EventSource,
  type RefundStatus,
} from "../schema";
import { beijingDayRange, dayParam, yuanParamToFen } from "./filters";
import { cursorColumn, keysetPage, type ListOrder } from "./keyset";
import { orderSummaryColumns } from "./orders";

/** Refunds that need someone's attention beyond their status: WeChat's answer never arrived, or the last try failed. */
export const REFUND_PROBLEMS = ["outcome_unknown", "with_error"] as const;

const PROBLEM_CONDITIONS: Record<(typeof REFUND_PROBLEMS)[number], SQL> = {
  outcome_unknown: eq(refunds.outcomeUnknown, true),
  with_error: isNotNull(refunds.lastErrorCode),
};

/** The refunds list's filters, as they stand in the URL. Invalid values are dropped, not errors: a URL is shareable. */
export const refundFiltersSchema = z.object({
  status: z.enum(refundStatus.enumValues).optional().catch(undefined),
  from: dayParam,
  to: dayParam,
  operator: z.string().uuid().optional().catch(undefined),
  /** `1`: only refunds that need a person (the "Needs attention" tab). */
  attention: z.literal("1").optional().catch(undefined),
  minFen: z.coerce.number().int().min(0).optional().catch(undefined),
  maxFen: z.coerce.number().int().min(0).optional().catch(undefined),
  q: z.string().trim().min(1).max(64).optional().catch(undefined),
  /** One kind of trouble, for the dashboard's "needs attention" links. */
  problem: z.enum(REFUND_PROBLEMS).optional().catch(undefined),
  after: z.string().optional().catch(undefined),
});
export type RefundFilters = z.infer<typeof refundFiltersSchema>;

/** The refunds list's URL (`min`/`max` in yuan) as filters; the list page and the CSV export both read it so. */
export function parseRefundFilters(params: Record<string, string | undefined>): RefundFilters {
  return refundFiltersSchema.parse({
    ...params,
    minFen: yuanParamToFen(params.min),
    maxFen: yuanParamToFen(params.max),
  });
}

/**
 * Refunds with this exact refund number or order number. Exact on purpose: both are b-tree lookups (the unique
 * out_refund_no index, orders_out_trade_no_idx), and the union keeps each one an index lookup where an OR across the
 * join would walk every refund. A partial match on out_refund_no would need a trigram index first.
 */
function numberCondition(db: Db, q: string): SQL {
  const byRefundNo = db.select({ id: refunds.id }).from(refunds).where(eq(refunds.outRefundNo, q));
  const byOrderNo = db
    .select({ id: refunds.id })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .where(eq(orders.outTradeNo, q));
  return inArray(refunds.id, byRefundNo.unionAll(byOrderNo));
}

/**
 * The list's filters (all but the page cursor) as conditions, shared by the list and the CSV export; the merchant is
 * always the first, so no list or export ever crosses merchants.
 */
export function refundListConditions(db: Db, merchantId: string, filters: RefundFilters): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [eq(refunds.merchantId, merchantId)];
  // With a status, refunds_status_created_at_idx narrows the walk; without, refunds_created_at_idx serves the order.
  if (filters.status) conditions.push(eq(refunds.status, filters.status));
  conditions.push(...beijingDayRange(refunds.createdAt, filters.from, filters.to));
  if (filters.operator) conditions.push(eq(refunds.requestedBy, filters.operator));
  if (filters.minFen !== undefined) conditions.push(gte(refunds.amountFen, filters.minFen));
  if (filters.maxFen !== undefined) conditions.push(lte(refunds.amountFen, filters.maxFen));
  if (filters.q) conditions.push(numberCondition(db, filters.q));
  if (filters.problem) conditions.push(PROBLEM_CONDITIONS[filters.problem]);
  if (filters.attention) conditions.push(needsAttention());
  return conditions;
}

/**
 * Refunds a person must look at: ABNORMAL (needs an abnormal-refund application), PENDING after an error (waiting for a
 * retry, or refused in a way a person may fix), and any whose last request's outcome is unknown.
 */
export function needsAttention(): SQL {
  return refundNeedsAttention(refunds);
}

export async function countNeedingAttention(db: Db, merchantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(refunds)
    .where(and(eq(refunds.merchantId, merchantId), needsAttention()));
  return row?.n ?? 0;
}

const refundListOrder: ListOrder = { at: refunds.createdAt, id: refunds.id };

export async function listRefunds(db: Db, merchantId: string, filters: RefundFilters, pageSize = 50) {
  const query = db
    .select({
      ...cursorColumn(refundListOrder),
      id: refunds.id,
      outRefundNo: refunds.outRefundNo,
      orderId: refunds.orderId,
      outTradeNo: orders.outTradeNo,
      amountFen: refunds.amountFen,
      status: refunds.status,
      createdAt: refunds.createdAt,
      lastErrorCode: refunds.lastErrorCode,
      outcomeUnknown: refunds.outcomeUnknown,
      requesterName: users.name,
      requesterEmail: users.email,
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .leftJoin(users, eq(users.id, refunds.requestedBy))
    .$dynamic();
  return keysetPage(query, refundListOrder, refundListConditions(db, merchantId, filters), filters.after, pageSize);
}

export type RefundListRow = Awaited<ReturnType<typeof listRefunds>>["rows"][number];

/** Users who have requested at least one refund of this merchant: the choices of the refunds list's operator filter. */
export async function listRefundRequesters(db: Db, merchantId: string) {
  const theirs = db
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.requestedBy, users.id), eq(refunds.merchantId, merchantId)));
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(exists(theirs))
    .orderBy(asc(users.name), asc(users.email));
}

const approvers = alias(users, "approvers");

/** One refund of this merchant with its order, requester and approver; null when this merchant has no such number. */
export async function getRefundDetail(db: Db, merchantId: string, outRefundNo: string) {
  const [row] = await db
    .select({
      refund: getTableColumns(refunds),
      order: orderSummaryColumns,
      merchantName: merchants.displayName,
      merchantApiVersion: merchants.apiVersion,
      requesterName: users.name,
      requesterEmail: users.email,
      approverName: approvers.name,
      approverEmail: approvers.email,
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .innerJoin(merchants, eq(merchants.id, refunds.merchantId))
    .leftJoin(users, eq(users.id, refunds.requestedBy))
    .leftJoin(approvers, eq(approvers.id, refunds.approvedBy))
    .where(and(eq(refunds.outRefundNo, outRefundNo), eq(refunds.merchantId, merchantId)))
    .limit(1);
  return row ?? null;
}

/**
 * Every refund of one order, newest first, with who requested it. No paging: WeChat's cap keeps an order at 50
 * refunds, plus the few an approver may have rejected before they were sent.
 */
export async function listOrderRefunds(db: Db, merchantId: string, orderId: number) {
  return db
    .select({ ...getTableColumns(refunds), requesterName: users.name, requesterEmail: users.email })
    .from(refunds)
    .leftJoin(users, eq(users.id, refunds.requestedBy))
    .where(and(eq(refunds.orderId, orderId), eq(refunds.merchantId, merchantId)))
    .orderBy(desc(refunds.createdAt), desc(refunds.id));
}

export type OrderRefundRow = Awaited<ReturnType<typeof listOrderRefunds>>[number];

/** The timelines of some refunds, oldest event first, keyed by refund id (refund_events_refund_at_idx). */
export async function listRefundEvents(db: Db, refundIds: readonly number[]) {
  const byRefund = new Map<number, RefundEventRow[]>(refundIds.map((id) => [id, []]));
  if (refundIds.length === 0) return byRefund;
  const rows = await db
    .select({
      id: refundEvents.id,
      refundId: refundEvents.refundId,
      at: refundEvents.at,
      type: refundEvents.type,
      source: refundEvents.source,
      statusFrom: refundEvents.statusFrom,
      statusTo: refundEvents.statusTo,
      payload: refundEvents.payload,
      actorName: users.name,
    })
    .from(refundEvents)
    .leftJoin(users, eq(users.id, refundEvents.actorId))
    .where(inArray(refundEvents.refundId, [...refundIds]))
    .orderBy(asc(refundEvents.refundId), asc(refundEvents.at), asc(refundEvents.id));
  for (const row of rows) byRefund.get(row.refundId)?.push(row);
  return byRefund;
}

export interface RefundEventRow {
  id: number;
  refundId: number;
  at: Date;
  type: string;
  source: EventSource;
  statusFrom: RefundStatus | null;
  statusTo: RefundStatus | null;
  payload: Record<string, unknown>;
  actorName: string | null;
}
