import { and, eq, sql } from "drizzle-orm";
import type { Db, Transaction } from "../db/client";
import { asPlaceholders, statement, statementsByShape } from "../db/statement";
import {
  orders,
  refundEvents,
  refunds,
  type EventSource,
  type Order,
  type Refund,
  type RefundStatus,
} from "../db/schema";
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
  constructor(refund: number | string, from: RefundStatus, to: RefundStatus) {
    super(`refund ${refund}: ${from} → ${to} is not a refund status transition`);
    this.name = "RefundTransitionError";
  }
}

/**
 * The writer of a refund's status, with its one-statement form `moveRefundUnlessChanged` (move-unless-changed.ts);
 * the database's `refunds_status_transition` trigger refuses any other move, from any path. Inside the caller's
 * transaction, which holds the refund's row lock: check the move against the state machine, update the refund, shift
 * the order's cached sums by the same amount, and append the timeline event. The order's CHECK constraints refuse any
 * result beyond the total or past 50 refunds.
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
  const update = asPlaceholders({ ...fields, status: to, updatedAt: at });
  // Sent together, one round trip: they touch rows this transaction already holds, so their order does not matter.
  await Promise.all([
    // `id` is free as a placeholder name: RefundFields leaves the refund's id out.
    updateRefund(tx, update.shape, update.columns, { ...update.bound, id: refund.id }),
    delta.refundedFen || delta.inFlightFen || delta.refundCount ? shiftOrderSums(tx, refund.orderId, delta) : undefined,
    appendRefundEvent(tx, refund.id, { ...event, at }, refund.status, to),
  ]);
}

// Built once per process (lib/db/statement.ts): these run several times for every refund and every callback.
const updateRefund = statementsByShape((db, columns: Record<string, unknown>) =>
  db
    .update(refunds)
    .set(columns)
    .where(eq(refunds.id, sql.placeholder("id"))),
);

/** Shifts an order's cached sums (refunded, in flight, count) by a move's delta, in the caller's transaction. */
export function shiftOrderSums(tx: Transaction, orderId: number, delta: ReturnType<typeof sumsDelta>) {
  return orderSumsShift(tx, { orderId, ...delta });
}

const orderSumsShift = statement((db) =>
  db
    .update(orders)
    .set({
      refundedFen: sql`${orders.refundedFen} + ${sql.placeholder("refundedFen")}`,
      inFlightFen: sql`${orders.inFlightFen} + ${sql.placeholder("inFlightFen")}`,
      refundCount: sql`${orders.refundCount} + ${sql.placeholder("refundCount")}`,
    })
    .where(eq(orders.id, sql.placeholder("orderId"))),
);

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
  const values = asPlaceholders({
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
    await insertEvent(tx, values.shape, values.columns, values.bound);
    return;
  }
  const [row] = await insertEventWanted(tx, values.shape, values.columns, { ...values.bound, webhookType });
  // Sent after this insert resolved, so after the caller's update of the refund: the refund read is the new one.
  if (row?.wanted) await writeRefundOutbox(tx, refundId, webhookType, at);
}

const insertEvent = statementsByShape((db, columns: Record<string, unknown>) =>
  db.insert(refundEvents).values(columns as typeof refundEvents.$inferInsert),
);

/** The insert of a status change's event, saying whether any webhook endpoint wants it (lib/webhooks/outbox.ts). */
const insertEventWanted = statementsByShape((db, columns: Record<string, unknown>) =>
  db
    .insert(refundEvents)
    .values(columns as typeof refundEvents.$inferInsert)
    .returning({ wanted: refundEventWanted(sql.placeholder("webhookType")) }),
);

/**
 * Lock a refund for the rest of the transaction. Its order is locked first: every writer takes the order's lock
 * before the refund's, so two writers of one order never deadlock, and the order's sums cannot move meanwhile.
 * Both statements go out in one round trip; PostgreSQL runs them in the order sent, so the order's lock is held
 * before the refund's is asked for. The order is found by a sub-select, which locks nothing.
 */
export async function lockRefund(tx: Transaction, where: RefundKey): Promise<Refund | undefined> {
  const shape = keyShape(where);
  const [, [row]] = await Promise.all([
    lockOrderOfRefund(tx, shape, shape, where),
    lockRefundRow(tx, shape, shape, where),
  ]);
  return row;
}

/** `lockRefund` for a caller that reads the order too: the order's lock returns its row. Same two statements. */
export async function lockRefundAndOrder(
  tx: Transaction,
  where: RefundKey,
): Promise<{ refund: Refund; order: Order } | undefined> {
  const shape = keyShape(where);
  const [[order], [refund]] = await Promise.all([
    lockOrderRowOfRefund(tx, shape, shape, where),
    lockRefundRow(tx, shape, shape, where),
  ]);
  return refund && order ? { refund, order } : undefined;
}

type RefundKey = { id: number; merchantId?: string } | { outRefundNo: string; merchantId: string };

/**
 * A caller acting for one merchant names it: another merchant's refund is then simply not there. A refund number is
 * only unique within its merchant (as at WeChat), so looking one up by number always names the merchant.
 */
function keyShape(where: RefundKey): RefundKeyShape {
  return "id" in where ? (where.merchantId ? "id,merchant" : "id") : "number,merchant";
}

type RefundKeyShape = "id" | "id,merchant" | "number,merchant";

function refundByKey(shape: RefundKeyShape) {
  const byKey = shape.startsWith("id")
    ? eq(refunds.id, sql.placeholder("id"))
    : eq(refunds.outRefundNo, sql.placeholder("outRefundNo"));
  return shape.endsWith("merchant") ? and(byKey, eq(refunds.merchantId, sql.placeholder("merchantId")))! : byKey;
}

const orderOfRefund = (db: Db, shape: RefundKeyShape) =>
  eq(orders.id, db.select({ orderId: refunds.orderId }).from(refunds).where(refundByKey(shape)));

const lockOrderOfRefund = statementsByShape((db, shape: RefundKeyShape) =>
  db.select({ id: orders.id }).from(orders).where(orderOfRefund(db, shape)).for("update"),
);

const lockOrderRowOfRefund = statementsByShape((db, shape: RefundKeyShape) =>
  db.select().from(orders).where(orderOfRefund(db, shape)).for("update"),
);

const lockRefundRow = statementsByShape((db, shape: RefundKeyShape) =>
  db.select().from(refunds).where(refundByKey(shape)).for("update"),
);
