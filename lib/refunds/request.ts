import { and, eq, sql } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Transaction } from "../db/client";
import { asPlaceholders, statement, statementsByShape } from "../db/statement";
import { orders, refunds, type Refund } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { appendRefundEvent, shiftOrderSums } from "./move";
import { newOutRefundNo } from "./out-refund-no";
import { checkDailyLimitLocked } from "./limits";
import { lockActiveMerchant, type MerchantInactive } from "./merchant-active";
import { sumsDelta } from "./transitions";
import {
  approvalReason,
  checkNewRefund,
  nextSubmissionAt,
  remainingFen,
  type DailyLimitViolation,
  type RefundRuleCode,
} from "./policy";

export interface RefundRequestInput {
  /** The caller's merchant: an order of another merchant is not found. */
  merchantId: string;
  orderId: number;
  amountFen: number;
  reason: string;
  fundsAccount?: "AVAILABLE";
  /** A caller-chosen number (merchant API); a fresh one otherwise. */
  outRefundNo?: string;
}

export interface RequestContext {
  actor: AuditActor;
  /** The user who asked, for the refund row and the timeline; null for API keys and the system. */
  userId: string | null;
  /** WeChat requires refunds of one order to be at least this far apart. */
  orderIntervalMs: number;
  now?: Date;
  /**
   * Already approved as part of something larger (a bulk batch approved as a whole): the refund skips the approval
   * threshold and the requester's daily limit, and is recorded with approvedBy (this user id) and approvedAt set.
   */
  preApproved?: { by: string };
}

export type RefundRequestError = {
  code:
    | RefundRuleCode
    | DailyLimitViolation["code"]
    | MerchantInactive["code"]
    | "ORDER_NOT_FOUND"
    | "DUPLICATE_OUT_REFUND_NO";
  message: Message;
};

// Built once per process (lib/db/statement.ts): every refund request runs them.
const lockOrder = statement((db) =>
  db
    .select()
    .from(orders)
    .where(and(eq(orders.id, sql.placeholder("id")), eq(orders.merchantId, sql.placeholder("merchantId"))))
    .for("update"),
);

/** When the order's last refund went (or is to go) to WeChat; null before its first. */
async function lastSubmissionOf(tx: Transaction, orderId: number): Promise<Date | null> {
  const [previous] = await lastSubmission(tx, { orderId });
  return previous?.last ? new Date(previous.last) : null;
}

const lastSubmission = statement((db) =>
  db
    .select({ last: sql<Date | null>`max(coalesce(${refunds.submittedAt}, ${refunds.scheduledAt}))` })
    .from(refunds)
    .where(eq(refunds.orderId, sql.placeholder("orderId"))),
);

const insertRefund = statementsByShape((db, columns: Record<string, unknown>) =>
  db
    .insert(refunds)
    .values(columns as typeof refunds.$inferInsert)
    .onConflictDoNothing({ target: [refunds.outRefundNo, refunds.merchantId] })
    .returning(),
);

/** When a refund of this order may go to WeChat: no earlier than the interval after the order's previous submission. */
export async function nextSubmissionSlot(
  tx: Transaction,
  orderId: number,
  orderIntervalMs: number,
  now: Date,
): Promise<Date> {
  return nextSubmissionAt(await lastSubmissionOf(tx, orderId), orderIntervalMs, now);
}

/**
 * Record a refund: lock the order row, check that its merchant is active, WeChat's rules against the order's sums and
 * the requester's daily limit, insert the refund with its first timeline event and an audit entry, reserve its
 * amount — all in one transaction.
 * A refund above the merchant's approval threshold is recorded as AWAITING_APPROVAL (amount reserved, no submission
 * time) until a second person approves it; otherwise PENDING. Nothing is sent to WeChat here: for a PENDING refund
 * the caller schedules the submission after commit, no earlier than `scheduledAt`.
 */
export async function requestRefund(
  db: Database,
  input: RefundRequestInput,
  context: RequestContext,
): Promise<Result<Refund, RefundRequestError>> {
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    // One round trip, run in the order sent: the order's lock first (as every writer takes it), then the merchant's,
    // then when the order's last refund went out. The order is the caller's merchant's, or not found.
    const [[order], merchant, lastSubmission] = await Promise.all([
      lockOrder(tx, { id: input.orderId, merchantId: input.merchantId }),
      lockActiveMerchant(tx, input.merchantId),
      lastSubmissionOf(tx, input.orderId),
    ]);
    if (!order) {
      return err({ code: "ORDER_NOT_FOUND" as const, message: msg("outcomes.refunds.request.ORDER_NOT_FOUND") });
    }
    if (!merchant.ok) return merchant;
    const allowed = checkNewRefund(order, input.amountFen, now);
    if (!allowed.ok) return allowed;
    if (context.userId && !context.preApproved) {
      const withinLimit = await checkDailyLimitLocked(tx, context.userId, input.amountFen, now);
      if (!withinLimit.ok) return withinLimit;
    }

    const { thresholdFen } = merchant.value;
    const waitsBecause = context.preApproved ? null : approvalReason(order, input.amountFen, thresholdFen);
    const status = waitsBecause ? "AWAITING_APPROVAL" : "PENDING";
    // A refund waiting for approval gets its submission time when it is approved, so it holds up no other refund.
    const scheduledAt = status === "PENDING" ? nextSubmissionAt(lastSubmission, context.orderIntervalMs, now) : null;

    const outRefundNo = input.outRefundNo ?? newOutRefundNo(now);
    const values = asPlaceholders({
      orderId: order.id,
      merchantId: order.merchantId,
      outRefundNo,
      amountFen: input.amountFen,
      reason: input.reason,
      fundsAccount: input.fundsAccount ?? null,
      status,
      requestedBy: context.userId,
      approvedBy: context.preApproved?.by ?? null,
      approvedAt: context.preApproved ? now : null,
      createdAt: now,
      updatedAt: now,
      scheduledAt,
    });
    const [refund] = await insertRefund(tx, values.shape, values.columns, values.bound);
    if (!refund) {
      return err({
        code: "DUPLICATE_OUT_REFUND_NO" as const,
        message: msg("outcomes.refunds.request.DUPLICATE_OUT_REFUND_NO"),
      });
    }
    const approval = waitsBecause
      ? { approvalReason: waitsBecause, thresholdFen }
      : context.preApproved
        ? { preApprovedBy: context.preApproved.by }
        : {};
    // The reservation, the timeline and the audit entry: one round trip.
    await Promise.all([
      shiftOrderSums(tx, order.id, sumsDelta(refund.amountFen, null, status)),
      appendRefundEvent(
        tx,
        refund.id,
        {
          type: "requested",
          source: context.userId ? "operator" : "system",
          actorId: context.userId,
          at: now,
          payload: {
            amountFen: refund.amountFen,
            reason: refund.reason,
            scheduledAt: scheduledAt?.toISOString() ?? null,
            by: context.actor.label,
            ...approval,
          },
        },
        null,
        status,
      ),
      appendAudit(
        tx,
        context.actor,
        "refund.requested",
        { type: "refund", id: outRefundNo, merchantId: order.merchantId },
        {
          orderId: order.id,
          outTradeNo: order.outTradeNo,
          amountFen: refund.amountFen,
          reason: refund.reason,
          ...approval,
          after: { status, remainingFen: remainingFen(order) - refund.amountFen },
        },
      ),
    ]);
    return ok(refund);
  });
}
