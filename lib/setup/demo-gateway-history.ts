import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { orders, refunds } from "../db/schema";
import { billDayBounds, previousBillDate } from "../reconciliation/bill-date";

/** Refund statuses that mean WeChat accepted the refund: those the simulator must hold as well. */
const ACCEPTED = ["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"] as const;

/**
 * What the demo simulator must know of the console's history: the merchant's paid orders and the refunds WeChat
 * accepted (with their ids and times, so bills and queries agree with the console), plus one refund "made by hand in
 * the merchant platform" yesterday on the oldest order nobody refunded, so the Reconciliation page has a mismatch.
 */
export async function demoGatewayHistory(db: Db, merchantId: string, now = new Date()) {
  const paid = await db
    .select({
      id: orders.id,
      outTradeNo: orders.outTradeNo,
      transactionId: orders.transactionId,
      totalFen: orders.totalFen,
      paidAt: orders.paidAt,
      payerOpenid: orders.payerOpenid,
      refundCount: orders.refundCount,
    })
    .from(orders)
    .where(eq(orders.merchantId, merchantId))
    .orderBy(asc(orders.paidAt));
  const accepted = await db
    .select({ refund: refunds, outTradeNo: orders.outTradeNo })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .where(and(eq(refunds.merchantId, merchantId), inArray(refunds.status, [...ACCEPTED])));
  const untouched = paid.find((o) => o.refundCount === 0);
  const at = new Date(billDayBounds(previousBillDate(now)).from.getTime() + 11 * 3_600_000);
  return {
    orders: paid.map((o) => ({
      outTradeNo: o.outTradeNo,
      transactionId: o.transactionId,
      totalFen: o.totalFen,
      paidAt: o.paidAt,
      payerOpenid: o.payerOpenid ?? "",
    })),
    refunds: accepted.map(({ refund: r, outTradeNo }) => ({
      outRefundNo: r.outRefundNo,
      outTradeNo,
      refundId: r.refundId ?? "",
      refundFen: r.amountFen,
      status: r.status as (typeof ACCEPTED)[number],
      createTime: r.submittedAt ?? r.createdAt,
      successTime: r.status === "SUCCESS" ? r.finishedAt : null,
    })),
    handMadeRefund:
      untouched && untouched.paidAt < at
        ? { outTradeNo: untouched.outTradeNo, refundFen: Math.min(100, untouched.totalFen), at }
        : undefined,
  };
}
