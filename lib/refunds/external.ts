import { and, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../db/client";
import { orders, refunds, type EventSource, type Order } from "../db/schema";
import { log } from "../log";
import type { GatewayRefundRecord, GatewayRefundStatus } from "./gateway";
import { appendRefundEvent, moveRefund } from "./move";
import { isForwardReport, sumsDelta } from "./transitions";
import { MAX_REFUNDS_PER_ORDER } from "./policy";

/** A refund of the order as WeChat reports it (a refund list, or a line of the refund bill). */
export type ReportedRefund = Pick<GatewayRefundRecord, "outRefundNo" | "refundId" | "amountFen" | "status"> &
  Partial<Pick<GatewayRefundRecord, "channel" | "userReceivedAccount" | "successTime">>;

export interface ExternalRefundsOutcome {
  /** Refunds recorded for the first time. */
  recorded: string[];
  /** External refunds already recorded whose status WeChat now reports further on. */
  moved: string[];
  /**
   * Refunds that could not be recorded: their number is this merchant's refund of another order, or with them the order's sums
   * would pass its total or 50 refunds (a console refund still in flight that WeChat will refuse).
   */
  skipped: string[];
}

/**
 * Records the refunds WeChat holds for an order that the console never requested — made by hand in WeChat Pay's
 * merchant platform — as `external` refunds of the order: counted in its refunded sum, its n / 50 and its remaining,
 * shown on its timeline, never submitted or retried. Seen again, an external refund is not recorded twice: it only
 * moves forward when WeChat reports a later status. The console's own refunds are left to their own workflow
 * (query, callback, reconciliation). The caller's transaction holds the order's row lock.
 */
export async function recordExternalRefunds(
  tx: Transaction,
  order: Pick<Order, "id" | "merchantId" | "totalFen" | "refundedFen" | "inFlightFen" | "refundCount">,
  reported: readonly ReportedRefund[],
  context: { source: EventSource; now: Date },
): Promise<ExternalRefundsOutcome> {
  const outcome: ExternalRefundsOutcome = { recorded: [], moved: [], skipped: [] };
  if (reported.length === 0) return outcome;
  const existing = await tx
    .select()
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, order.merchantId),
        inArray(
          refunds.outRefundNo,
          reported.map((r) => r.outRefundNo),
        ),
      ),
    )
    .for("update");
  const byNo = new Map(existing.map((r) => [r.outRefundNo, r]));
  const sums = { refundedFen: order.refundedFen, inFlightFen: order.inFlightFen, refundCount: order.refundCount };

  for (const r of reported) {
    const known = byNo.get(r.outRefundNo);
    if (known) {
      if (known.orderId !== order.id) {
        outcome.skipped.push(r.outRefundNo);
        continue;
      }
      if (known.origin === "external" && isForwardReport(known.status, r.status)) {
        await moveRefund(tx, known, r.status, externalEvent("external_refund_updated", r, context), {
          refundId: r.refundId,
          ...finalFields(r, context.now),
        });
        const delta = sumsDelta(known.amountFen, known.status, r.status);
        addDelta(sums, delta);
        outcome.moved.push(r.outRefundNo);
      }
      continue;
    }
    const delta = sumsDelta(r.amountFen, null, r.status);
    const after = {
      refundedFen: sums.refundedFen + delta.refundedFen,
      inFlightFen: sums.inFlightFen + delta.inFlightFen,
      refundCount: sums.refundCount + delta.refundCount,
    };
    if (after.refundedFen + after.inFlightFen > order.totalFen || after.refundCount > MAX_REFUNDS_PER_ORDER) {
      log.warn(
        { orderId: order.id, outRefundNo: r.outRefundNo, amountFen: r.amountFen },
        "an external refund does not fit the order's sums: a console refund in flight will be refused by WeChat",
      );
      outcome.skipped.push(r.outRefundNo);
      continue;
    }
    const [row] = await tx
      .insert(refunds)
      .values({
        orderId: order.id,
        merchantId: order.merchantId,
        outRefundNo: r.outRefundNo,
        refundId: r.refundId,
        amountFen: r.amountFen,
        origin: "external",
        status: r.status,
        channel: r.channel ?? null,
        userReceivedAccount: r.userReceivedAccount ?? null,
        createdAt: context.now,
        updatedAt: context.now,
        ...finalFields(r, context.now),
      })
      .returning();
    // Recorded with the status WeChat reports: the order's sums take it in the same transaction, as for a new
    // console refund (requestRefund); later changes go through moveRefund.
    await tx.update(orders).set(after).where(eq(orders.id, order.id));
    await appendRefundEvent(tx, row!.id, externalEvent("external_refund_found", r, context), null, r.status);
    Object.assign(sums, after);
    outcome.recorded.push(r.outRefundNo);
  }
  return outcome;
}

function addDelta(sums: { refundedFen: number; inFlightFen: number; refundCount: number }, delta: typeof sums) {
  sums.refundedFen += delta.refundedFen;
  sums.inFlightFen += delta.inFlightFen;
  sums.refundCount += delta.refundCount;
}

function finalFields(r: ReportedRefund, now: Date): { finishedAt?: Date } {
  if (r.status === "SUCCESS") return { finishedAt: r.successTime ? new Date(r.successTime) : now };
  return r.status === "CLOSED" ? { finishedAt: now } : {};
}

function externalEvent(type: string, r: ReportedRefund, context: { source: EventSource; now: Date }) {
  return {
    type,
    source: context.source,
    at: context.now,
    payload: {
      refundId: r.refundId,
      amountFen: r.amountFen,
      status: r.status,
      successTime: r.successTime ?? null,
      // Where WeChat says the refund came from: not the console.
      madeIn: "merchant_platform",
    },
  };
}

/** A refund status as the refund bill writes it (退款状态), in the console's terms; undefined for one it does not know. */
export function statusFromBill(text: string): GatewayRefundStatus | undefined {
  const map: Record<string, GatewayRefundStatus> = {
    SUCCESS: "SUCCESS",
    PROCESSING: "PROCESSING",
    REFUNDCLOSE: "CLOSED",
    CLOSED: "CLOSED",
    CHANGE: "ABNORMAL",
    ABNORMAL: "ABNORMAL",
  };
  return map[text.toUpperCase()];
}
