import { and, eq, sql } from "drizzle-orm";
import { appendAudit, SYSTEM_ACTOR, type AuditAction, type AuditActor } from "../audit/append";
import { hasRole } from "../auth/roles";
import type { Database, Transaction } from "../db/client";
import {
  bulkBatches,
  bulkRows,
  merchants,
  orders,
  type BulkBatch,
  type BulkBatchStatus,
  type UserRole,
} from "../db/schema";
import { msg, type Message } from "../message";
import { checkDailyLimitLocked } from "../refunds/limits";
import { err, ok, type Result } from "../result";
import { bulkCompleted } from "../webhooks/business-events";

/** The person acting on a batch. */
export interface BatchActor {
  /** The person's current merchant: another merchant's batch is not found. */
  merchantId: string;
  userId: string;
  role: UserRole;
  actor: AuditActor;
}

export type BatchActionErrorCode = "NOT_FOUND" | "WRONG_STATE" | "NOT_ALLOWED" | "SELF_APPROVAL" | "NOTHING_TO_RUN";
export interface BatchActionError {
  code: BatchActionErrorCode;
  message: Message;
}

/** Why a confirmed batch waits for an approver. */
export type BatchApprovalReason = "TOTAL_ABOVE_THRESHOLD" | "ORDER_REFUNDS_ABOVE_THRESHOLD" | "DAILY_LIMIT";

const NOT_FOUND = err({
  code: "NOT_FOUND" as const,
  message: msg("outcomes.bulk.lifecycle.NOT_FOUND"),
});
const NOT_ALLOWED = err({
  code: "NOT_ALLOWED" as const,
  message: msg("outcomes.bulk.lifecycle.NOT_ALLOWED"),
});

/** The uploader steers their own batch; approvers may steer anyone's. */
export function mayControl(batch: Pick<BulkBatch, "createdBy">, who: Pick<BatchActor, "userId" | "role">): boolean {
  return batch.createdBy === who.userId || hasRole(who.role, "approver");
}

function wrongState(status: BulkBatchStatus): { ok: false; error: BatchActionError } {
  return err({
    code: "WRONG_STATE",
    message: msg("outcomes.bulk.lifecycle.WRONG_STATE", { status }),
  });
}

async function lockBatch(tx: Transaction, batchId: number, merchantId?: string): Promise<BulkBatch | undefined> {
  const byId = eq(bulkBatches.id, batchId);
  const [batch] = await tx
    .select()
    .from(bulkBatches)
    .where(merchantId ? and(byId, eq(bulkBatches.merchantId, merchantId)) : byId)
    .for("update");
  return batch;
}

/** Rows that never got their turn: skipped, so every line of the file ends in a final state. */
async function skipReadyRows(tx: Transaction, batchId: number, now: Date): Promise<number> {
  const skipped = await tx
    .update(bulkRows)
    .set({ status: "SKIPPED", processedAt: now })
    .where(and(eq(bulkRows.batchId, batchId), eq(bulkRows.status, "READY")))
    .returning({ id: bulkRows.id });
  return skipped.length;
}

/**
 * Whether the batch needs a second person, by the same rules as single refunds: its total above the merchant's
 * approval threshold, any order's refunds (with this batch's) above it, or the total beyond the uploader's daily limit.
 */
async function approvalReason(tx: Transaction, batch: BulkBatch, now: Date): Promise<BatchApprovalReason | null> {
  const [merchant] = await tx
    .select({ thresholdFen: merchants.approvalThresholdFen })
    .from(merchants)
    .where(eq(merchants.id, batch.merchantId));
  const thresholdFen = merchant?.thresholdFen ?? 0;
  if (batch.validAmountFen > thresholdFen) return "TOTAL_ABOVE_THRESHOLD";
  const [orderAbove] = await tx
    .select({ orderId: orders.id })
    .from(bulkRows)
    .innerJoin(orders, eq(orders.id, bulkRows.orderId))
    .where(and(eq(bulkRows.batchId, batch.id), eq(bulkRows.status, "READY")))
    .groupBy(orders.id)
    .having(sql`max(${orders.refundedFen} + ${orders.inFlightFen}) + sum(${bulkRows.amountFen}) > ${thresholdFen}`)
    .limit(1);
  if (orderAbove) return "ORDER_REFUNDS_ABOVE_THRESHOLD";
  if (batch.createdBy && !(await checkDailyLimitLocked(tx, batch.createdBy, batch.validAmountFen, now)).ok)
    return "DAILY_LIMIT";
  return null;
}

interface Change {
  from: readonly BulkBatchStatus[];
  action: AuditAction;
  /** Decides the new state and fields, or refuses. */
  decide: (
    tx: Transaction,
    batch: BulkBatch,
  ) => Promise<
    Result<{ status: BulkBatchStatus; set?: Partial<BulkBatch>; details?: Record<string, unknown> }, BatchActionError>
  >;
}

/** Lock, check the state and the person, write the new state with its audit row — one transaction. */
async function changeBatch(
  db: Database,
  batchId: number,
  who: BatchActor | null,
  change: Change,
  now: Date,
): Promise<Result<BulkBatchStatus, BatchActionError>> {
  return db.transaction(async (tx) => {
    const batch = await lockBatch(tx, batchId, who?.merchantId);
    if (!batch) return NOT_FOUND;
    if (!change.from.includes(batch.status)) return wrongState(batch.status);
    const decided = await change.decide(tx, batch);
    if (!decided.ok) return decided;
    const { status, set, details } = decided.value;
    const final = status === "CANCELLED" || status === "REJECTED" || status === "COMPLETED";
    const skipped = final ? await skipReadyRows(tx, batch.id, now) : 0;
    await tx
      .update(bulkBatches)
      .set({ ...set, status, ...(final ? { finishedAt: now } : {}) })
      .where(eq(bulkBatches.id, batch.id));
    await appendAudit(
      tx,
      who?.actor ?? SYSTEM_ACTOR,
      change.action,
      { type: "bulk_batch", id: batch.id, merchantId: batch.merchantId },
      {
        ...details,
        ...(skipped ? { skippedRows: skipped } : {}),
        before: { status: batch.status },
        after: { status },
      },
    );
    return ok(status);
  });
}

const controlledBy =
  (who: BatchActor, status: BulkBatchStatus, set?: Partial<BulkBatch>) => async (_tx: Transaction, batch: BulkBatch) =>
    mayControl(batch, who) ? ok({ status, set }) : NOT_ALLOWED;

/** The uploader (or an approver) confirms the preview: it runs at once, or waits for an approver. */
export function confirmBatch(db: Database, batchId: number, who: BatchActor, now = new Date()) {
  return changeBatch(
    db,
    batchId,
    who,
    {
      from: ["VALIDATED"],
      action: "bulk.confirmed",
      decide: async (tx, batch) => {
        if (!mayControl(batch, who)) return NOT_ALLOWED;
        if (batch.validRows === 0) {
          return err({
            code: "NOTHING_TO_RUN" as const,
            message: msg("outcomes.bulk.lifecycle.NOTHING_TO_RUN"),
          });
        }
        const reason = await approvalReason(tx, batch, now);
        return ok(
          reason
            ? { status: "AWAITING_APPROVAL" as const, set: { confirmedAt: now }, details: { approvalReason: reason } }
            : { status: "RUNNING" as const, set: { confirmedAt: now, startedAt: now } },
        );
      },
    },
    now,
  );
}

/** An approver other than the uploader approves or rejects the whole batch. */
export function decideBatch(
  db: Database,
  batchId: number,
  decision: { approve: boolean; note: string },
  who: BatchActor,
  now = new Date(),
) {
  return changeBatch(
    db,
    batchId,
    who,
    {
      from: ["AWAITING_APPROVAL"],
      action: decision.approve ? "bulk.approved" : "bulk.rejected",
      decide: async (_tx, batch) => {
        if (!hasRole(who.role, "approver")) return NOT_ALLOWED;
        if (batch.createdBy === who.userId) {
          return err({
            code: "SELF_APPROVAL" as const,
            message: msg("outcomes.bulk.lifecycle.SELF_APPROVAL"),
          });
        }
        const set = { decidedBy: who.userId, decidedAt: now, decisionNote: decision.note || null };
        return ok({
          status: decision.approve ? ("RUNNING" as const) : ("REJECTED" as const),
          set: decision.approve ? { ...set, startedAt: now } : set,
          details: { note: decision.note },
        });
      },
    },
    now,
  );
}

export const pauseBatch = (db: Database, batchId: number, who: BatchActor, now = new Date()) =>
  changeBatch(db, batchId, who, { from: ["RUNNING"], action: "bulk.paused", decide: controlledBy(who, "PAUSED") }, now);

export const resumeBatch = (db: Database, batchId: number, who: BatchActor, now = new Date()) =>
  changeBatch(
    db,
    batchId,
    who,
    { from: ["PAUSED"], action: "bulk.resumed", decide: controlledBy(who, "RUNNING") },
    now,
  );

/** Stops the batch for good: lines that have not had their turn are SKIPPED; refunds already recorded go on. */
export const cancelBatch = (db: Database, batchId: number, who: BatchActor, now = new Date()) =>
  changeBatch(
    db,
    batchId,
    who,
    {
      from: ["VALIDATED", "AWAITING_APPROVAL", "RUNNING", "PAUSED"],
      action: "bulk.cancelled",
      decide: controlledBy(who, "CANCELLED"),
    },
    now,
  );

/** The runner's last step, once every line has had its turn (checked again under the lock). */
export const completeBatch = (db: Database, batchId: number, now = new Date()) =>
  changeBatch(
    db,
    batchId,
    null,
    {
      from: ["RUNNING"],
      action: "bulk.completed",
      decide: async (tx, batch) => {
        const [ready] = await tx
          .select({ id: bulkRows.id })
          .from(bulkRows)
          .where(and(eq(bulkRows.batchId, batch.id), eq(bulkRows.status, "READY")))
          .limit(1);
        if (ready) return wrongState(batch.status);
        await bulkCompleted(tx, batch, now);
        return ok({ status: "COMPLETED" as const });
      },
    },
    now,
  );
