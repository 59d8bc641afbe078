import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { bulkBatches, merchants, orders, refunds, users } from "../schema";
import { cursorColumn, keysetPage, type ListOrder } from "./keyset";

const approvalQueueOrder: ListOrder = { at: refunds.createdAt, id: refunds.id, oldestFirst: true };

/**
 * The merchant's refunds waiting for an approver, oldest first (the longest wait is decided first), a page at a time
 * after the `after` cursor.
 */
export async function listAwaitingApproval(db: Db, merchantId: string, after?: string, pageSize = 50) {
  const query = db
    .select({
      ...cursorColumn(approvalQueueOrder),
      id: refunds.id,
      outRefundNo: refunds.outRefundNo,
      amountFen: refunds.amountFen,
      reason: refunds.reason,
      createdAt: refunds.createdAt,
      requestedBy: refunds.requestedBy,
      requesterName: users.name,
      requesterEmail: users.email,
      orderId: orders.id,
      outTradeNo: orders.outTradeNo,
      orderTotalFen: orders.totalFen,
      merchantName: merchants.displayName,
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .innerJoin(merchants, eq(merchants.id, refunds.merchantId))
    .leftJoin(users, eq(users.id, refunds.requestedBy))
    .$dynamic();
  const conditions = [eq(refunds.merchantId, merchantId), eq(refunds.status, "AWAITING_APPROVAL")];
  return keysetPage(query, approvalQueueOrder, conditions, after, pageSize);
}

export type AwaitingApprovalRow = Awaited<ReturnType<typeof listAwaitingApproval>>["rows"][number];

/** Bulk batches an approver decides on as a whole, oldest first. */
export async function listBatchesAwaitingApproval(db: Db, merchantId: string) {
  return db
    .select({
      id: bulkBatches.id,
      fileName: bulkBatches.fileName,
      validRows: bulkBatches.validRows,
      validAmountFen: bulkBatches.validAmountFen,
      createdBy: bulkBatches.createdBy,
      createdAt: bulkBatches.createdAt,
      confirmedAt: bulkBatches.confirmedAt,
      creatorName: users.name,
      merchantName: merchants.displayName,
    })
    .from(bulkBatches)
    .innerJoin(merchants, eq(merchants.id, bulkBatches.merchantId))
    .leftJoin(users, eq(users.id, bulkBatches.createdBy))
    .where(and(eq(bulkBatches.merchantId, merchantId), eq(bulkBatches.status, "AWAITING_APPROVAL")))
    .orderBy(asc(bulkBatches.createdAt), asc(bulkBatches.id));
}

export type BatchAwaitingApprovalRow = Awaited<ReturnType<typeof listBatchesAwaitingApproval>>[number];
