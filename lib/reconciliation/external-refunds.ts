import { and, asc, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../db/client";
import { orders, refunds } from "../db/schema";
import { recordExternalRefunds, statusFromBill, type ReportedRefund } from "../refunds/external";
import type { BillLine } from "../wechatpay/bill-file";

/**
 * Refund bill lines the console never requested, of orders it has: refunds made in WeChat Pay's merchant platform.
 * They are recorded as external refunds of their orders (counted in their sums, on their timelines), so the bill then
 * matches them instead of reporting them as unknown. Lines of orders the console does not have stay UNKNOWN_TO_CONSOLE.
 * Inside the reconciliation's transaction; orders are locked in id order, as every writer locks an order first.
 */
export async function recordExternalRefundsFromBill(
  tx: Transaction,
  merchantId: string,
  lines: readonly BillLine[],
  now: Date,
): Promise<number> {
  if (lines.length === 0) return 0;
  const numbers = lines.map((l) => l.outRefundNo);
  const known = await tx
    .select({ outRefundNo: refunds.outRefundNo })
    .from(refunds)
    .where(inArray(refunds.outRefundNo, numbers));
  const knownNumbers = new Set(known.map((r) => r.outRefundNo));
  const unknown = lines.filter((l) => !knownNumbers.has(l.outRefundNo) && l.transactionId && l.refundId);
  if (unknown.length === 0) return 0;
  const transactionIds = [...new Set(unknown.map((l) => l.transactionId!))];
  const owning = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.merchantId, merchantId), inArray(orders.transactionId, transactionIds)))
    .orderBy(asc(orders.id))
    .for("update");
  let recorded = 0;
  for (const order of owning) {
    const reported: ReportedRefund[] = unknown
      .filter((l) => l.transactionId === order.transactionId)
      .flatMap((l) => {
        const status = statusFromBill(l.refundStatus);
        return status ? [{ outRefundNo: l.outRefundNo, refundId: l.refundId!, amountFen: l.refundFen, status }] : [];
      });
    const outcome = await recordExternalRefunds(tx, order, reported, { source: "reconciler", now });
    recorded += outcome.recorded.length;
  }
  return recorded;
}
