import { and, asc, eq, ne, sql } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db, Transaction } from "../db/client";
import { refundReasons, type RefundReason } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { reasonFits, reasonTooLongMessage } from "../wechatpay/reason-limit";

export type ReasonErrorCode = "INVALID_LABEL" | "DUPLICATE_LABEL" | "REASON_NOT_FOUND";
export interface ReasonError {
  code: ReasonErrorCode;
  message: Message;
}

const NOT_FOUND = () =>
  err<ReasonError>({ code: "REASON_NOT_FOUND", message: msg("outcomes.refunds.reasons.REASON_NOT_FOUND") });
const ORDER = [asc(refundReasons.sortOrder), asc(refundReasons.id)];

/** The reasons the refund form offers, in the admins' order. */
export async function listActiveReasons(db: Db): Promise<Pick<RefundReason, "id" | "label">[]> {
  return db
    .select({ id: refundReasons.id, label: refundReasons.label })
    .from(refundReasons)
    .where(eq(refundReasons.active, true))
    .orderBy(...ORDER);
}

/** Every reason, retired ones included, for the admin page. */
export async function listAllReasons(db: Db): Promise<RefundReason[]> {
  return db
    .select()
    .from(refundReasons)
    .orderBy(...ORDER);
}

/** A label must fit WeChat's field and differ (ignoring case) from every other reason's. */
async function checkLabel(db: Db, raw: string, exceptId?: number): Promise<Result<string, ReasonError>> {
  const label = raw.trim().replace(/\s+/g, " ");
  if (!label) return err({ code: "INVALID_LABEL", message: msg("outcomes.refunds.reasons.INVALID_LABEL") });
  // WeChat shows the reason to the payer and takes at most 80 bytes of it (the refund form's note included).
  if (!reasonFits(label)) return err({ code: "INVALID_LABEL", message: reasonTooLongMessage(label) });
  const same = sql`lower(${refundReasons.label}) = lower(${label})`;
  const [taken] = await db
    .select({ id: refundReasons.id })
    .from(refundReasons)
    .where(exceptId === undefined ? same : and(same, ne(refundReasons.id, exceptId)));
  if (taken)
    return err({
      code: "DUPLICATE_LABEL",
      message: msg("outcomes.refunds.reasons.DUPLICATE_LABEL", { label }),
    });
  return ok(label);
}

/**
 * A change to the reasons, in a transaction holding the reasons' table lock: adding, renaming and moving read the
 * other reasons' labels and places, so two admins at once must take turns to keep labels unique and the order whole.
 */
async function withReasonsLocked<T>(db: Database, change: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table ${refundReasons} in share row exclusive mode`);
    return change(tx);
  });
}

/** A new reason, offered last. The reasons' table lock keeps the order and the unique labels simple under concurrency. */
export async function addReason(
  db: Database,
  rawLabel: string,
  actor: AuditActor,
): Promise<Result<RefundReason, ReasonError>> {
  return withReasonsLocked(db, async (tx) => {
    const label = await checkLabel(tx, rawLabel);
    if (!label.ok) return label;
    const [{ last } = { last: 0 }] = await tx
      .select({ last: sql<number>`coalesce(max(${refundReasons.sortOrder}), 0)::int` })
      .from(refundReasons);
    const [reason] = await tx
      .insert(refundReasons)
      .values({ label: label.value, sortOrder: last + 1 })
      .returning();
    await appendAudit(
      tx,
      actor,
      "refund_reason.added",
      { type: "refund_reason", id: reason!.id },
      { after: { label: reason!.label, sortOrder: reason!.sortOrder } },
    );
    return ok(reason!);
  });
}

/** Rename a reason. Refunds already made keep the text they were sent with. */
export async function renameReason(
  db: Database,
  id: number,
  rawLabel: string,
  actor: AuditActor,
): Promise<Result<RefundReason, ReasonError>> {
  return withReasonsLocked(db, async (tx) => {
    const [before] = await tx.select().from(refundReasons).where(eq(refundReasons.id, id));
    if (!before) return NOT_FOUND();
    const label = await checkLabel(tx, rawLabel, id);
    if (!label.ok) return label;
    const [after] = await tx
      .update(refundReasons)
      .set({ label: label.value })
      .where(eq(refundReasons.id, id))
      .returning();
    await appendAudit(
      tx,
      actor,
      "refund_reason.renamed",
      { type: "refund_reason", id },
      { before: { label: before.label }, after: { label: after!.label } },
    );
    return ok(after!);
  });
}

/** Retire a reason (no longer offered) or restore it. */
export async function setReasonActive(
  db: Database,
  id: number,
  active: boolean,
  actor: AuditActor,
): Promise<Result<RefundReason, ReasonError>> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(refundReasons).where(eq(refundReasons.id, id)).for("update");
    if (!before) return NOT_FOUND();
    if (before.active === active) return ok(before);
    const [after] = await tx.update(refundReasons).set({ active }).where(eq(refundReasons.id, id)).returning();
    await appendAudit(
      tx,
      actor,
      active ? "refund_reason.restored" : "refund_reason.retired",
      { type: "refund_reason", id },
      {
        label: before.label,
        before: { active: before.active },
        after: { active },
      },
    );
    return ok(after!);
  });
}

/** Move a reason one place up or down; the positions are renumbered 1…n so they stay tidy. */
export async function moveReason(
  db: Database,
  id: number,
  direction: "up" | "down",
  actor: AuditActor,
): Promise<Result<void, ReasonError>> {
  return withReasonsLocked(db, async (tx) => {
    const all = await tx
      .select({ id: refundReasons.id, sortOrder: refundReasons.sortOrder })
      .from(refundReasons)
      .orderBy(...ORDER);
    const from = all.findIndex((r) => r.id === id);
    if (from < 0) return NOT_FOUND();
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= all.length) return ok(undefined);
    const ids = all.map((r) => r.id);
    [ids[from], ids[to]] = [ids[to]!, ids[from]!];
    for (const [index, reasonId] of ids.entries()) {
      if (all.find((r) => r.id === reasonId)!.sortOrder !== index + 1) {
        await tx
          .update(refundReasons)
          .set({ sortOrder: index + 1 })
          .where(eq(refundReasons.id, reasonId));
      }
    }
    await appendAudit(
      tx,
      actor,
      "refund_reason.reordered",
      { type: "refund_reason", id },
      { before: { position: from + 1 }, after: { position: to + 1 } },
    );
    return ok(undefined);
  });
}
