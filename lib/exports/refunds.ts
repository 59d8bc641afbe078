import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { refundListConditions, type RefundFilters } from "../db/queries/refunds";
import { merchants, orders, refunds, users, type RefundOrigin, type RefundStatus } from "../db/schema";
import { fenToYuan } from "../money";
import { beijingText, csvStream, cursorBatches, orEmpty } from "./csv-stream";

/** The refunds file's columns, in order; their headers come from the `exports` messages in the reader's language. */
export const REFUND_EXPORT_COLUMNS = [
  "createdAt",
  "outRefundNo",
  "refundId",
  "outTradeNo",
  "transactionId",
  "merchant",
  "amount",
  "status",
  "reason",
  "requestedBy",
  "origin",
  "finishedAt",
  "userReceivedAccount",
  "lastErrorCode",
  "lastErrorMessage",
] as const;
export type RefundExportColumn = (typeof REFUND_EXPORT_COLUMNS)[number];

export interface RefundExportText {
  header: (column: RefundExportColumn) => string;
  status: (status: RefundStatus) => string;
  /** Where the refund was made: by the console, or in WeChat Pay's merchant platform (an external refund). */
  origin: (origin: RefundOrigin) => string;
}

interface RefundExportRow {
  createdAt: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  merchant: string;
  amountFen: string;
  status: RefundStatus;
  reason: string;
  requestedBy: string;
  origin: RefundOrigin;
  finishedAt: string;
  userReceivedAccount: string;
  lastErrorCode: string;
  lastErrorMessage: string;
}

/** The refunds list's own conditions and order, without its page cursor: the file holds every matching refund. */
function refundExportQuery(db: Database, merchantId: string, filters: RefundFilters) {
  return db
    .select({
      createdAt: beijingText(refunds.createdAt).as("createdAt"),
      outRefundNo: sql<string>`${refunds.outRefundNo}`.as("outRefundNo"),
      refundId: orEmpty(refunds.refundId).as("refundId"),
      outTradeNo: sql<string>`${orders.outTradeNo}`.as("outTradeNo"),
      transactionId: sql<string>`${orders.transactionId}`.as("transactionId"),
      merchant: sql<string>`${merchants.displayName}`.as("merchant"),
      amountFen: sql<string>`${refunds.amountFen}::text`.as("amountFen"),
      status: sql<RefundStatus>`${refunds.status}`.as("status"),
      reason: sql<string>`${refunds.reason}`.as("reason"),
      requestedBy: orEmpty(users.email).as("requestedBy"),
      origin: sql<RefundOrigin>`${refunds.origin}`.as("origin"),
      finishedAt: beijingText(refunds.finishedAt).as("finishedAt"),
      userReceivedAccount: orEmpty(refunds.userReceivedAccount).as("userReceivedAccount"),
      lastErrorCode: orEmpty(refunds.lastErrorCode).as("lastErrorCode"),
      lastErrorMessage: orEmpty(refunds.lastErrorMessage).as("lastErrorMessage"),
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .innerJoin(merchants, eq(merchants.id, refunds.merchantId))
    .leftJoin(users, eq(users.id, refunds.requestedBy))
    .where(and(...refundListConditions(db, merchantId, filters)))
    .orderBy(desc(refunds.createdAt), desc(refunds.id));
}

/** Every refund matching the list's filters as a CSV stream, newest first, amounts in yuan, times in Beijing time. */
export function exportRefundsCsv(
  db: Database,
  merchantId: string,
  filters: RefundFilters,
  t: RefundExportText,
): ReadableStream<Uint8Array> {
  const batches = cursorBatches(db, refundExportQuery(db, merchantId, filters)) as AsyncIterable<RefundExportRow[]>;
  return csvStream(REFUND_EXPORT_COLUMNS.map(t.header), batches, (r) => [
    r.createdAt,
    r.outRefundNo,
    r.refundId,
    r.outTradeNo,
    r.transactionId,
    r.merchant,
    fenToYuan(Number(r.amountFen)),
    t.status(r.status),
    r.reason,
    r.requestedBy,
    t.origin(r.origin),
    r.finishedAt,
    r.userReceivedAccount,
    r.lastErrorCode,
    r.lastErrorMessage,
  ]);
}
