import { eq, sql } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { orders, refunds, type Refund } from "../db/schema";
import type { BilingualText } from "../i18n-text";
import { err, ok, type Result } from "../result";
import { appendRefundEvent } from "./move";
import { newOutRefundNo } from "./out-refund-no";
import { checkNewRefund, type RefundRuleCode } from "./rules";
import { sumsDelta } from "./transitions";

export interface RefundRequestInput {
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
}

export type RefundRequestError = { code: RefundRuleCode | "ORDER_NOT_FOUND" | "DUPLICATE_OUT_REFUND_NO"; message: BilingualText };

/**
 * Record a refund: lock the order row, check WeChat's rules against its sums, insert the refund as PENDING with its
 * first timeline event and an audit entry, reserve its amount — all in one transaction. Nothing is sent to WeChat
 * here: the caller schedules the submission after commit, no earlier than `scheduledAt`.
 */
export async function requestRefund(
  db: Database,
  input: RefundRequestInput,
  context: RequestContext,
): Promise<Result<Refund, RefundRequestError>> {
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for("update");
    if (!order) {
      return err({ code: "ORDER_NOT_FOUND" as const, message: { zh: "找不到该订单。", en: "Order not found." } });
    }
    const allowed = checkNewRefund(order, input.amountFen, now);
    if (!allowed.ok) return allowed;

    // Pacing: no earlier than the interval after this order's previous submission.
    const [previous] = await tx
      .select({ last: sql<Date | null>`max(coalesce(${refunds.submittedAt}, ${refunds.scheduledAt}))` })
      .from(refunds)
      .where(eq(refunds.orderId, order.id));
    const last = previous?.last ? new Date(previous.last) : null;
    const scheduledAt = last && last.getTime() + context.orderIntervalMs > now.getTime() ? new Date(last.getTime() + context.orderIntervalMs) : now;

    const outRefundNo = input.outRefundNo ?? newOutRefundNo(now);
    const [refund] = await tx
      .insert(refunds)
      .values({
        orderId: order.id,
        merchantId: order.merchantId,
        outRefundNo,
        amountFen: input.amountFen,
        reason: input.reason,
        fundsAccount: input.fundsAccount ?? null,
        status: "PENDING",
        requestedBy: context.userId,
        createdAt: now,
        updatedAt: now,
        scheduledAt,
      })
      .onConflictDoNothing({ target: refunds.outRefundNo })
      .returning();
    if (!refund) {
      return err({
        code: "DUPLICATE_OUT_REFUND_NO" as const,
        message: { zh: "该退款单号已被使用。", en: "This refund number is already in use." },
      });
    }
    const delta = sumsDelta(refund.amountFen, null, "PENDING");
    await tx
      .update(orders)
      .set({
        inFlightFen: sql`${orders.inFlightFen} + ${delta.inFlightFen}`,
        refundCount: sql`${orders.refundCount} + ${delta.refundCount}`,
      })
      .where(eq(orders.id, order.id));
    await appendRefundEvent(
      tx,
      refund.id,
      {
        type: "requested",
        source: context.userId ? "operator" : "system",
        actorId: context.userId,
        at: now,
        payload: { amountFen: refund.amountFen, reason: refund.reason, scheduledAt: scheduledAt.toISOString(), by: context.actor.label },
      },
      null,
      "PENDING",
    );
    await appendAudit(tx, context.actor, "refund.requested", { type: "refund", id: outRefundNo }, {
      orderId: order.id,
      outTradeNo: order.outTradeNo,
      amountFen: refund.amountFen,
      reason: refund.reason,
      after: { status: "PENDING", remainingFen: order.totalFen - order.refundedFen - order.inFlightFen - refund.amountFen },
    });
    return ok(refund);
  });
}
