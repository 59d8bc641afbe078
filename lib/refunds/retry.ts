import { and, eq } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { orders, refunds, type Refund } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { checkDailyLimitLocked } from "./limits";
import { lockActiveMerchant, type MerchantInactive } from "./merchant-active";
import { appendRefundEvent, lockRefund, moveRefund } from "./move";
import { approvalReason, checkAmountFits, type DailyLimitViolation } from "./policy";
import { nextSubmissionSlot } from "./request";

export type RetryError = {
  code:
    | "NOT_RETRYABLE"
    | "AMOUNT_EXCEEDS_REMAINING"
    | "REFUND_NOT_FOUND"
    | DailyLimitViolation["code"]
    | MerchantInactive["code"];
  message: Message;
};

/**
 * An operator's retry, with the SAME out_refund_no and content: a FAILED refund (e.g. NOT_ENOUGH after a top-up)
 * reserves its amount again, so it passes the checks a new refund does — an active merchant, the retrier's daily
 * limit, and the approval threshold: above it the retry waits for a second person (AWAITING_APPROVAL, with the
 * retrier as its requester, who may not approve it), otherwise it goes back to PENDING. A PENDING one waiting for a
 * back-off is sent at once (no money moves).
 */
export async function retryRefund(
  db: Database,
  outRefundNo: string,
  context: {
    /** The caller's merchant: another merchant's refund is not found. */
    merchantId: string;
    actor: AuditActor;
    userId: string | null;
    orderIntervalMs: number;
    now?: Date;
  },
): Promise<Result<Refund, RetryError>> {
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ orderId: refunds.orderId })
      .from(refunds)
      .where(and(eq(refunds.outRefundNo, outRefundNo), eq(refunds.merchantId, context.merchantId)));
    if (!found)
      return err({ code: "REFUND_NOT_FOUND" as const, message: msg("outcomes.refunds.retry.REFUND_NOT_FOUND") });
    // Lock order before refund, the same order as every other writer, so two writers never deadlock.
    const [order] = await tx.select().from(orders).where(eq(orders.id, found.orderId)).for("update");
    const refund = await lockRefund(tx, { outRefundNo, merchantId: context.merchantId });
    if (!order || !refund)
      return err({ code: "REFUND_NOT_FOUND" as const, message: msg("outcomes.refunds.retry.REFUND_NOT_FOUND") });
    if (refund.status !== "FAILED" && refund.status !== "PENDING") {
      return err({
        code: "NOT_RETRYABLE" as const,
        message: msg("outcomes.refunds.retry.NOT_RETRYABLE"),
      });
    }
    const actorFields = { actorId: context.userId, at: now, payload: { by: context.actor.label } };
    if (refund.status === "FAILED") {
      const fits = checkAmountFits(order, refund.amountFen);
      if (!fits.ok) return err({ code: "AMOUNT_EXCEEDS_REMAINING" as const, message: fits.error.message });
      const merchant = await lockActiveMerchant(tx, order.merchantId);
      if (!merchant.ok) return merchant;
      const { thresholdFen } = merchant.value;
      if (context.userId) {
        const withinLimit = await checkDailyLimitLocked(tx, context.userId, refund.amountFen, now);
        if (!withinLimit.ok) return withinLimit;
      }
      const waitsBecause = approvalReason(order, refund.amountFen, thresholdFen);
      if (waitsBecause) {
        const payload = { ...actorFields.payload, approvalReason: waitsBecause, thresholdFen };
        await moveRefund(
          tx,
          refund,
          "AWAITING_APPROVAL",
          { type: "retry_requested", source: "operator", ...actorFields, payload },
          {
            scheduledAt: null,
            finishedAt: null,
            approvedBy: null,
            approvedAt: null,
            requestedBy: context.userId ?? refund.requestedBy,
          },
        );
      } else {
        const scheduledAt = await nextSubmissionSlot(tx, order.id, context.orderIntervalMs, now);
        await moveRefund(
          tx,
          refund,
          "PENDING",
          { type: "retry_requested", source: "operator", ...actorFields },
          { scheduledAt, finishedAt: null },
        );
      }
    } else {
      // Still PENDING, waiting for its next attempt: the retry only brings that attempt forward, no status moves.
      await tx.update(refunds).set({ scheduledAt: now, updatedAt: now }).where(eq(refunds.id, refund.id));
      await appendRefundEvent(tx, refund.id, { type: "retry_requested", source: "operator", ...actorFields });
    }
    await appendAudit(
      tx,
      context.actor,
      "refund.retried",
      { type: "refund", id: outRefundNo, merchantId: refund.merchantId },
      { before: { status: refund.status, lastErrorCode: refund.lastErrorCode } },
    );
    const after = await lockRefund(tx, { outRefundNo, merchantId: context.merchantId });
    return ok(after!);
  });
}
