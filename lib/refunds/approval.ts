import { eq } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import { can } from "../auth/roles";
import type { Database, Transaction } from "../db/client";
import { refunds, type Refund, type UserRole } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { lockRefund, moveRefund, type RefundFields } from "./move";
import { nextSubmissionSlot } from "./request";

/**
 * Maker-checker decisions on refunds recorded as AWAITING_APPROVAL (see `approvalReason`).
 *
 * While it waits, a refund reserves its amount (in flight) and one of the order's 50 places, so approving it can never
 * break the order's total or WeChat's cap. A rejection releases both: the refund never reached WeChat, and WeChat
 * counts only the refunds it was sent (`countsTowardCap`).
 */

export interface ApprovalContext {
  /** The approver's merchant: another merchant's refund is not found. */
  merchantId: string;
  actor: AuditActor;
  /** The approver. */
  userId: string;
  role: UserRole;
  /** Pacing of one order's submissions, as for a new refund. */
  orderIntervalMs: number;
  now?: Date;
}

export type ApprovalErrorCode =
  "FORBIDDEN" | "REFUND_NOT_FOUND" | "NOT_AWAITING_APPROVAL" | "SELF_APPROVAL" | "NOTE_REQUIRED";
export interface ApprovalError {
  code: ApprovalErrorCode;
  message: Message;
}

export const MAX_REJECTION_NOTE_LENGTH = 500;

const fail = (code: ApprovalErrorCode, message: Message) => err<ApprovalError>({ code, message });

/** Lock the order, then the refund, and check that this user may decide on it now. */
async function lockForDecision(
  tx: Transaction,
  outRefundNo: string,
  context: ApprovalContext,
): Promise<Result<Refund, ApprovalError>> {
  if (!can(context.role, "approveRefund")) {
    return fail("FORBIDDEN", msg("outcomes.refunds.approval.FORBIDDEN"));
  }
  const refund = await lockRefund(tx, { outRefundNo, merchantId: context.merchantId });
  if (!refund) return fail("REFUND_NOT_FOUND", msg("outcomes.refunds.approval.REFUND_NOT_FOUND"));
  if (refund.status !== "AWAITING_APPROVAL") {
    return fail(
      "NOT_AWAITING_APPROVAL",
      msg("outcomes.refunds.approval.NOT_AWAITING_APPROVAL", { outRefundNo, status: refund.status }),
    );
  }
  return ok(refund);
}

interface Decision {
  to: "PENDING" | "REJECTED";
  event: "approved" | "rejected_by_approver";
  eventPayload: Record<string, unknown>;
  fields: RefundFields;
  auditAction: "refund.approved" | "refund.rejected";
  auditDetails: Record<string, unknown>;
}

/**
 * Writes an approver's decision the same way for both outcomes: the refund's move with an operator event naming the
 * approver, one audit entry carrying the refund's order, amount and requester, and the refund as it now stands.
 */
async function recordDecision(
  tx: Transaction,
  refund: Refund,
  context: ApprovalContext,
  now: Date,
  decision: Decision,
): Promise<Result<Refund, ApprovalError>> {
  const { to, event, eventPayload, fields, auditAction, auditDetails } = decision;
  const payload = { by: context.actor.label, ...eventPayload };
  await moveRefund(
    tx,
    refund,
    to,
    { type: event, source: "operator", actorId: context.userId, at: now, payload },
    fields,
  );
  await appendAudit(
    tx,
    context.actor,
    auditAction,
    { type: "refund", id: refund.outRefundNo, merchantId: refund.merchantId },
    { orderId: refund.orderId, amountFen: refund.amountFen, requestedBy: refund.requestedBy, ...auditDetails },
  );
  const [decided] = await tx.select().from(refunds).where(eq(refunds.id, refund.id));
  return ok(decided!);
}

/**
 * Approve a waiting refund: it becomes PENDING with a submission time paced like a new refund's, and records who
 * approved it. The requester can never approve their own refund. After commit the caller queues the submission.
 * A merchant disabled since the refund was requested does not block the decision: the refund was recorded while the
 * merchant took refunds and is finished like the others (see `submitRefund`); an approver who should not let it go
 * out rejects it.
 */
export async function approveRefund(
  db: Database,
  outRefundNo: string,
  context: ApprovalContext,
): Promise<Result<Refund, ApprovalError>> {
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    const locked = await lockForDecision(tx, outRefundNo, context);
    if (!locked.ok) return locked;
    const refund = locked.value;
    if (refund.requestedBy === context.userId) {
      return fail("SELF_APPROVAL", msg("outcomes.refunds.approval.SELF_APPROVAL"));
    }
    const scheduledAt = await nextSubmissionSlot(tx, refund.orderId, context.orderIntervalMs, now);
    return recordDecision(tx, refund, context, now, {
      to: "PENDING",
      event: "approved",
      eventPayload: { scheduledAt: scheduledAt.toISOString() },
      fields: { approvedBy: context.userId, approvedAt: now, scheduledAt },
      auditAction: "refund.approved",
      auditDetails: {
        before: { status: refund.status, approvedBy: null },
        after: { status: "PENDING", approvedBy: context.userId, scheduledAt: scheduledAt.toISOString() },
      },
    });
  });
}

/** Reject a waiting refund with a note saying why: REJECTED (final), its amount and its place on the order released. */
export async function rejectRefund(
  db: Database,
  outRefundNo: string,
  note: string,
  context: ApprovalContext,
): Promise<Result<Refund, ApprovalError>> {
  const now = context.now ?? new Date();
  const reason = note.trim();
  if (!reason || reason.length > MAX_REJECTION_NOTE_LENGTH) {
    return fail("NOTE_REQUIRED", msg("outcomes.refunds.approval.NOTE_REQUIRED", { max: MAX_REJECTION_NOTE_LENGTH }));
  }
  return db.transaction(async (tx) => {
    const locked = await lockForDecision(tx, outRefundNo, context);
    if (!locked.ok) return locked;
    const refund = locked.value;
    return recordDecision(tx, refund, context, now, {
      to: "REJECTED",
      event: "rejected_by_approver",
      eventPayload: { note: reason },
      fields: { finishedAt: now },
      auditAction: "refund.rejected",
      auditDetails: { note: reason, before: { status: refund.status }, after: { status: "REJECTED" } },
    });
  });
}
