import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications } from "../db/schema";
import { answerFor, type Settled } from "./answer";
import type { CallbackProtocol } from "./intake";

/** A stored notification, and whether the answer about to go to WeChat is recorded with its outcome. */
export interface NotificationRow {
  id: number;
  protocol: CallbackProtocol;
  /** False on an admin's re-apply: the row keeps the answer WeChat actually got. */
  recordAnswer: boolean;
  /**
   * When an earlier delivery of the same notification id had already been applied (committed) as this row was
   * stored: the refund it moved. Such a delivery is a duplicate whatever else happens, needs no lock, and its row
   * was stored settled.
   */
  appliedEarlier?: { refundId: number | null };
}

export type NotificationInsert = Omit<typeof notifications.$inferInsert, "id" | "receivedAt">;

/** Stores a callback as received: a refused one with its outcome and answer, a verified one still to be settled. */
export async function insertNotification(db: Db, values: NotificationInsert): Promise<{ id: number }> {
  const [row] = await db.insert(notifications).values(values).returning({ id: notifications.id });
  return row!;
}

/**
 * Stores a verified callback before anything is done with it. In the same statement: whether a delivery of the same
 * notification id was already applied (committed before this statement began) — then this row is stored already
 * settled as a `duplicate` of it, with the answer WeChat gets. WeChat's repeats (often dozens, at once) thus cost
 * one statement each and never queue for locks.
 */
export async function insertVerifiedNotification(
  db: Db,
  values: NotificationInsert & { verification: "verified" },
): Promise<Pick<NotificationRow, "id" | "appliedEarlier">> {
  if (!values.notificationId) return insertNotification(db, values);
  const applied = appliedDelivery(db, values.notificationId);
  const earlier = sql`exists (${applied})`;
  const duplicate = answerFor(values.protocol, { outcome: "duplicate" });
  const [row] = await db
    .insert(notifications)
    .values({
      ...values,
      outcome: sql`case when ${earlier} then 'duplicate' else ${values.outcome} end`,
      refundId: sql`(${applied})`,
      responseStatus: sql`case when ${earlier} then ${duplicate.status}::integer end`,
      responseBody: sql`case when ${earlier} then ${duplicate.body} end`,
    })
    .returning({ id: notifications.id, outcome: notifications.outcome, refundId: notifications.refundId });
  return { id: row!.id, ...(row!.outcome === "duplicate" ? { appliedEarlier: { refundId: row!.refundId } } : {}) };
}

/** Records what was done with a notification (and the answer sent), in the caller's transaction when there is one. */
export async function settleNotification(db: Db, row: NotificationRow, settled: Settled): Promise<void> {
  const answer = row.recordAnswer ? answerFor(row.protocol, settled) : undefined;
  await db
    .update(notifications)
    .set({
      outcome: settled.outcome,
      ...(settled.refundId === undefined ? {} : { refundId: settled.refundId }),
      ...(settled.code === undefined ? {} : { rejectionCode: settled.code, rejectionReason: settled.reason ?? null }),
      ...(answer ? { responseStatus: answer.status, responseBody: answer.body } : {}),
    })
    .where(eq(notifications.id, row.id));
}

/** The delivery of a notification id that was applied: at most one row, by the unique index notifications_applied_once. */
function appliedDelivery(db: Db, notificationId: string) {
  return db
    .select({ refundId: notifications.refundId })
    .from(notifications)
    .where(and(eq(notifications.notificationId, notificationId), eq(notifications.outcome, "applied")));
}

/** Whether WeChat's notification id was already applied (committed). */
export async function alreadyApplied(db: Db, notificationId: string): Promise<boolean> {
  const [row] = await appliedDelivery(db, notificationId);
  return row !== undefined;
}

/**
 * The database's last word on exactly-once: a second `applied` row for one notification id violates the unique
 * index `notifications_applied_once`, which rolls back the whole transaction, refund change included.
 */
export function isAppliedOnceViolation(error: unknown): boolean {
  let current: unknown = error;
  // drizzle wraps the driver's error: look down the `cause` chain, a few levels at most.
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const e = current as { code?: unknown; constraint_name?: unknown; cause?: unknown };
    if (e.code === "23505" && e.constraint_name === "notifications_applied_once") return true;
    current = e.cause;
  }
  return false;
}
