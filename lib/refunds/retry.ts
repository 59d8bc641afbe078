import { and, eq, sql } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { orders, refunds, type Refund } from "../db/schema";
import type { BilingualText } from "../i18n-text";
import { formatFen } from "../money";
import { err, ok, type Result } from "../result";
import { lockRefund, moveRefund } from "./move";
import { remainingFen } from "./status";

export type RetryError = {
  code: "NOT_RETRYABLE" | "AMOUNT_EXCEEDS_REMAINING" | "REFUND_NOT_FOUND";
  message: BilingualText;
};

/**
 * An operator's retry, with the SAME out_refund_no and content: a FAILED refund (e.g. NOT_ENOUGH after a top-up)
 * goes back to PENDING and reserves its amount again; a PENDING one waiting for a back-off is sent at once.
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
      return err({ code: "REFUND_NOT_FOUND" as const, message: { zh: "找不到该退款。", en: "Refund not found." } });
    // Lock order before refund, the same order as every other writer, so two writers never deadlock.
    const [order] = await tx.select().from(orders).where(eq(orders.id, found.orderId)).for("update");
    const refund = await lockRefund(tx, { outRefundNo });
    if (!order || !refund)
      return err({ code: "REFUND_NOT_FOUND" as const, message: { zh: "找不到该退款。", en: "Refund not found." } });
    if (refund.status !== "FAILED" && refund.status !== "PENDING") {
      return err({
        code: "NOT_RETRYABLE" as const,
        message: {
          zh: "只有失败或等待重试的退款可以重试。",
          en: "Only failed refunds or refunds waiting for a retry can be retried.",
        },
      });
    }
    const actorFields = { actorId: context.userId, at: now, payload: { by: context.actor.label } };
    if (refund.status === "FAILED") {
      if (refund.amountFen > remainingFen(order)) {
        return err({
          code: "AMOUNT_EXCEEDS_REMAINING" as const,
          message: {
            zh: `${formatFen(refund.amountFen)} 超过了剩余可退金额 ${formatFen(remainingFen(order))}。`,
            en: `${formatFen(refund.amountFen)} is more than the ${formatFen(remainingFen(order))} remaining.`,
          },
        });
      }
      const [previous] = await tx
        .select({ last: sql<Date | null>`max(${refunds.submittedAt})` })
        .from(refunds)
        .where(eq(refunds.orderId, order.id));
      const last = previous?.last ? new Date(previous.last).getTime() : 0;
      const scheduledAt = new Date(Math.max(now.getTime(), last + context.orderIntervalMs));
      await moveRefund(
        tx,
        refund,
        "PENDING",
        { type: "retry_requested", source: "operator", ...actorFields },
        { scheduledAt, finishedAt: null },
      );
    } else {
      await tx.update(refunds).set({ scheduledAt: now, updatedAt: now }).where(eq(refunds.id, refund.id));
      await moveRefund(tx, refund, "PENDING", { type: "retry_requested", source: "operator", ...actorFields });
    }
    await appendAudit(
      tx,
      context.actor,
      "refund.retried",
      { type: "refund", id: outRefundNo, merchantId: refund.merchantId },
      { before: { status: refund.status, lastErrorCode: refund.lastErrorCode } },
    );
    const after = await lockRefund(tx, { outRefundNo });
    return ok(after!);
  });
}
