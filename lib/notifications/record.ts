import { and, eq } from "drizzle-orm";
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
}

export type NotificationInsert = Omit<typeof notifications.$inferInsert, "id" | "receivedAt">;

/** Stores a callback as received, before anything is done with it. */
export async function insertNotification(db: Db, values: NotificationInsert): Promise<number> {
  const [row] = await db.insert(notifications).values(values).returning({ id: notifications.id });
  return row!.id;
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

/** Whether WeChat's notification id was already applied (committed). */
export async function alreadyApplied(db: Db, notificationId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.notificationId, notificationId), eq(notifications.outcome, "applied")))
    .limit(1);
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
