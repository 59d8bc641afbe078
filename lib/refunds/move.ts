import { and, eq, sql } from "drizzle-orm";
import type { Transaction } from "../db/client";
import { orders, refundEvents, refunds, type EventSource, type Refund, type RefundStatus } from "../db/schema";
import { refundEventType } from "../webhooks/events";
import { refundEventWanted, writeRefundOutbox } from "../webhooks/outbox";
import { canTransition, sumsDelta } from "./transitions";

export interface RefundEventInput {
  type: string;
  source: EventSource;
  actorId?: string | null;
  payload?: Record<string, unknown>;
  at?: Date;
}

/** What a move may write besides the status; the status itself only through the move. */
export type RefundFields = Omit<
  Partial<typeof refunds.$inferInsert>,
  "id" | "status" | "orderId" | "merchantId" | "amountFen"
>;

/** A move the state machine does not allow: a bug in the caller, which checked before (the transaction is undone). */
export class RefundTransitionError extends Error {
  constructor(refundId: number, from: RefundStatus, to: RefundStatus) {
    super(`refund ${refundId}: ${from} → ${to} is not a refund status transition`);
    this.name = "RefundTransitionError";
  }
}

/**
 * The only writer of a refund's status (the database's `refunds_status_transition` trigger refuses any other move,
 * from any path). Inside the caller's transaction, which holds the refund's row lock: check the move against the
 * state machine, update the refund, shift the order's cached sums by the same amount, and append the timeline event.
 * The order's CHECK constraints refuse any result beyond the total or past 50 refunds.
 */
export async function moveRefund(
  tx: Transaction,
  refund: Pick<Refund, "id" | "orderId" | "amountFen" | "status">,
  to: RefundStatus,
  event: RefundEventInput,
  fields: RefundFields = {},
): Promise<void> {
  if (!canTransition(refund.status, to)) throw new RefundTransitionError(refund.id, refund.status, to);
  const at = event.at ?? new Date();
  const delta = sumsDelta(refund.amountFen, refund.status, to);
  // Sent together, one round trip: they touch rows this transaction already holds, so their order does not matter.
  await Promise.all([
    tx
      .update(refunds)
      .set({ ...fields, status: to, updatedAt: at })
      .where(eq(refunds.id, refund.id)),
    delta.refundedFen || delta.inFlightFen || delta.refundCount
      ? tx
          .update(orders)
          .set({
            refundedFen: sql`${orders.refundedFen} + ${delta.refundedFen}`,
            inFlightFen: sql`${orders.inFlightFen} + ${delta.inFlightFen}`,
            refundCount: sql`${orders.refundCount} + ${delta.refundCount}`,
          })
          .where(eq(orders.id, refund.orderId))
      : undefined,
    appendRefundEvent(tx, refund.id, { ...event, at }, refund.status, to),
  ]);
}

/**
 * Append a timeline event. Every status change passes here (a new refund from nothing, then `moveRefund`), so this is
 * also where the change's webhook event goes into the outbox, in the same transaction (lib/webhooks/outbox.ts).
 */
export async function appendRefundEvent(
  tx: Transaction,
  refundId: number,
  event: RefundEventInput,
  statusFrom: RefundStatus | null = null,
  statusTo: RefundStatus | null = null,
): Promise<void> {
  const at = event.at ?? new Date();
  const insert = tx.insert(refundEvents).values({
    refundId,
    at,
    type: event.type,
    source: event.source,
    actorId: event.actorId ?? null,
    statusFrom,
    statusTo,
    payload: event.payload ?? {},
  });
  const webhookType = statusTo ? refundEventType(statusFrom, statusTo) : null;
  if (!webhookType) {
    await insert;
    return;
  }
  const [row] = await insert.returning({ wanted: refundEventWanted(webhookType) });
  // Sent after this insert resolved, so after the caller's update of the refund: the refund read is the new one.
  if (row?.wanted) await writeRefundOutbox(tx, refundId, webhookType, at);
}

/**
 * Lock a refund for the rest of the transaction. Its order is locked first: every writer takes the order's lock
 * before the refund's, so two writers of one order never deadlock, and the order's sums cannot move meanwhile.
 * Both statements go out in one round trip; PostgreSQL runs them in the order sent, so the order's lock is held
 * before the refund's is asked for. The order is found by a sub-select, which locks nothing.
 */
export async function lockRefund(
  tx: Transaction,
  where: { id: number; merchantId?: string } | { outRefundNo: string; merchantId: string },
): Promise<Refund | undefined> {
  const byKey = "id" in where ? eq(refunds.id, where.id) : eq(refunds.outRefundNo, where.outRefundNo);
  // A caller acting for one merchant names it: another merchant's refund is then simply not there. A refund number
  // is only unique within its merchant (as at WeChat), so looking one up by number always names the merchant.
  const condition = where.merchantId ? and(byKey, eq(refunds.merchantId, where.merchantId))! : byKey;
  const orderOfRefund = tx.select({ orderId: refunds.orderId }).from(refunds).where(condition);
  const [, [row]] = await Promise.all([
    tx.select({ id: orders.id }).from(orders).where(eq(orders.id, orderOfRefund)).for("update"),
    tx.select().from(refunds).where(condition).for("update"),
  ]);
  return row;
}
