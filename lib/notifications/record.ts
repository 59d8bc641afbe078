import { and, eq, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db/client";
import { asPlaceholders, statement, statementsByShape } from "../db/statement";
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
  const duplicate = answerFor(values.protocol, { outcome: "duplicate" });
  const stored = asPlaceholders(values);
  const [row] = await insertUnlessApplied(db, stored.shape, stored.columns, {
    ...stored.bound,
    duplicateStatus: duplicate.status,
    duplicateBody: duplicate.body,
  });
  return { id: row!.id, ...(row!.outcome === "duplicate" ? { appliedEarlier: { refundId: row!.refundId } } : {}) };
}

// Built once per shape (lib/db/statement.ts): every verified callback runs it. The applied delivery is looked up once,
// as a WITH query, for the four columns that depend on it.
const insertUnlessApplied = statementsByShape((db, columns: Record<string, unknown>) => {
  const applied = db.$with("applied").as(appliedDelivery(db, sql.placeholder("notificationId")));
  const earlier = sql`exists (select from ${applied})`;
  const row: Record<string, unknown> = {
    ...columns,
    outcome: sql`case when ${earlier} then 'duplicate' else ${sql.placeholder("outcome")} end`,
    refundId: sql`(select ${applied.refundId} from ${applied})`,
    responseStatus: sql`case when ${earlier} then ${sql.placeholder("duplicateStatus")}::integer end`,
    responseBody: sql`case when ${earlier} then ${sql.placeholder("duplicateBody")} end`,
  };
  return db
    .with(applied)
    .insert(notifications)
    .values(row as typeof notifications.$inferInsert)
    .returning({ id: notifications.id, outcome: notifications.outcome, refundId: notifications.refundId });
});

/** Records what was done with a notification (and the answer sent), in the caller's transaction when there is one. */
export async function settleNotification(db: Db, row: NotificationRow, settled: Settled): Promise<void> {
  const answer = row.recordAnswer ? answerFor(row.protocol, settled) : undefined;
  const set = asPlaceholders({
    outcome: settled.outcome,
    ...(settled.refundId === undefined ? {} : { refundId: settled.refundId }),
    ...(settled.code === undefined ? {} : { rejectionCode: settled.code, rejectionReason: settled.reason ?? null }),
    ...(answer ? { responseStatus: answer.status, responseBody: answer.body } : {}),
  });
  // `id` is free as a placeholder name: the row's id is never set.
  await settle(db, set.shape, set.columns, { ...set.bound, id: row.id });
}

const settle = statementsByShape((db, columns: Record<string, unknown>) =>
  db
    .update(notifications)
    .set(columns)
    .where(eq(notifications.id, sql.placeholder("id"))),
);

/**
 * The delivery of a notification id that was applied: at most one row, found in the partial unique index
 * notifications_applied_once. `'applied'` is written as a literal: as a parameter, the generic plan of a prepared
 * statement cannot use a partial index, and scanned the growing table instead (the callback bench's PostgreSQL CPU
 * per callback doubled within 12,000 callbacks).
 */
function appliedDelivery(db: Db, notificationId: string | Placeholder) {
  return db
    .select({ refundId: notifications.refundId })
    .from(notifications)
    .where(and(eq(notifications.notificationId, notificationId), sql`${notifications.outcome} = 'applied'`));
}

/** Whether WeChat's notification id was already applied (committed). */
export async function alreadyApplied(db: Db, notificationId: string): Promise<boolean> {
  const [row] = await appliedRow(db, { notificationId });
  return row !== undefined;
}

const appliedRow = statement((db) => appliedDelivery(db, sql.placeholder("notificationId")));

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
