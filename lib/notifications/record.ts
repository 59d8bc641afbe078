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
   * stored: the refund it moved. Such a delivery is a duplicate whatever else happens, and needs no lock.
   */
  appliedEarlier?: { refundId: number | null };
}

export type NotificationInsert = Omit<typeof notifications.$inferInsert, "id" | "receivedAt">;

/**
 * Stores a callback as received, before anything is done with it. In the same statement: whether a delivery of the
 * same notification id was already applied, so WeChat's repeats (often dozens, at once) need not queue for locks.
 */
export async function insertNotification(
  db: Db,
  values: NotificationInsert,
): Promise<Pick<NotificationRow, "id" | "appliedEarlier">> {
  const insert = db.insert(notifications).values(values);
  if (!values.notificationId) {
    const [row] = await insert.returning({ id: notifications.id });
    return { id: row!.id };
  }
  // Seen as committed before this statement began.
  const [row] = await insert.returning({
    id: notifications.id,
    applied: sql<(number | null)[]>`array(${appliedDelivery(db, values.notificationId)})`,
  });
  const [refundId] = row!.applied;
  return { id: row!.id, ...(refundId === undefined ? {} : { appliedEarlier: { refundId } }) };
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
