import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../db/client";
import { notificationSummaryColumns } from "../db/queries/notifications";
import { listRefundEvents } from "../db/queries/refunds";
import { billDays, billLines, gatewayExchanges, notifications, refunds, users } from "../db/schema";

/**
 * The rows that together tell what happened to one refund, each from where it is kept: the console's own timeline,
 * its requests to WeChat Pay, WeChat's callbacks and WeChat's bills. Each query is an index lookup by refund.
 */

/** The refund of this merchant the trail is about; null when this merchant has no such number. */
export async function findRefundForEvidence(db: Db, merchantId: string, outRefundNo: string) {
  const [row] = await db
    .select({
      id: refunds.id,
      merchantId: refunds.merchantId,
      outRefundNo: refunds.outRefundNo,
      refundId: refunds.refundId,
      status: refunds.status,
      amountFen: refunds.amountFen,
      createdAt: refunds.createdAt,
    })
    .from(refunds)
    .where(and(eq(refunds.outRefundNo, outRefundNo), eq(refunds.merchantId, merchantId)))
    .limit(1);
  return row ?? null;
}

export type EvidenceRefund = NonNullable<Awaited<ReturnType<typeof findRefundForEvidence>>>;

/** The refund's timeline, as the refund pages read it. */
export async function refundEventRows(db: Db, refundId: number) {
  return (await listRefundEvents(db, [refundId])).get(refundId) ?? [];
}

const exchangeActors = alias(users, "exchange_actors");

export function exchangeRows(db: Db, refundId: number) {
  return db
    .select({
      id: gatewayExchanges.id,
      at: gatewayExchanges.at,
      operation: gatewayExchanges.operation,
      method: gatewayExchanges.method,
      path: gatewayExchanges.path,
      request: gatewayExchanges.request,
      responseStatus: gatewayExchanges.responseStatus,
      response: gatewayExchanges.response,
      errorCode: gatewayExchanges.errorCode,
      durationMs: gatewayExchanges.durationMs,
      actorName: exchangeActors.name,
    })
    .from(gatewayExchanges)
    .leftJoin(exchangeActors, eq(exchangeActors.id, gatewayExchanges.actorId))
    .where(eq(gatewayExchanges.refundId, refundId))
    .orderBy(asc(gatewayExchanges.at), asc(gatewayExchanges.id));
}

/** Callbacks about the refund; the raw body and signature headers stay out (the decrypted resource says what counts). */
export function callbackRows(db: Db, refundId: number) {
  return db
    .select(notificationSummaryColumns)
    .from(notifications)
    .where(eq(notifications.refundId, refundId))
    .orderBy(asc(notifications.receivedAt), asc(notifications.id));
}

/** Lines of the merchant's downloaded refund bills that name this refund number. */
export function billLineRows(db: Db, refund: Pick<EvidenceRefund, "outRefundNo" | "merchantId">) {
  return db
    .select({
      id: billLines.id,
      billDate: billDays.billDate,
      fetchedAt: billDays.fetchedAt,
      createdAt: billDays.createdAt,
      lineNo: billLines.lineNo,
      wechatRefundId: billLines.wechatRefundId,
      refundFen: billLines.refundFen,
      couponRefundFen: billLines.couponRefundFen,
      settlementRefundFen: billLines.settlementRefundFen,
      refundStatus: billLines.refundStatus,
      raw: billLines.raw,
    })
    .from(billLines)
    .innerJoin(billDays, eq(billDays.id, billLines.billDayId))
    .where(and(eq(billLines.outRefundNo, refund.outRefundNo), eq(billDays.merchantId, refund.merchantId)))
    .orderBy(asc(billDays.billDate), asc(billLines.id));
}
