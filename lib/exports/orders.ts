import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { orderListConditions, refundState, type OrderFilters, type OrderRefundState } from "../db/queries/orders";
import { merchants, orders } from "../db/schema";
import { fenToYuan } from "../money";
import { beijingText, csvStream, cursorBatches } from "./csv-stream";
import { remainingFen } from "../refunds/policy";

/** The orders file's columns, in order; their headers come from the `exports` messages in the reader's language. */
export const ORDER_EXPORT_COLUMNS = [
  "paidAt",
  "outTradeNo",
  "transactionId",
  "merchant",
  "description",
  "total",
  "refunded",
  "inFlight",
  "remaining",
  "refundCount",
  "state",
] as const;
export type OrderExportColumn = (typeof ORDER_EXPORT_COLUMNS)[number];

export interface OrderExportText {
  header: (column: OrderExportColumn) => string;
  state: (state: OrderRefundState) => string;
}

interface OrderExportRow {
  paidAt: string;
  outTradeNo: string;
  transactionId: string;
  merchant: string;
  description: string;
  totalFen: string;
  refundedFen: string;
  inFlightFen: string;
  refundCount: number;
}

/** The orders list's own conditions (`orderListConditions`) and order, without its page cursor: every matching order. */
function orderExportQuery(db: Database, conditions: (SQL | undefined)[]) {
  return db
    .select({
      paidAt: beijingText(orders.paidAt).as("paidAt"),
      outTradeNo: sql<string>`${orders.outTradeNo}`.as("outTradeNo"),
      transactionId: sql<string>`${orders.transactionId}`.as("transactionId"),
      merchant: sql<string>`${merchants.displayName}`.as("merchant"),
      description: sql<string>`${orders.description}`.as("description"),
      totalFen: sql<string>`${orders.totalFen}::text`.as("totalFen"),
      refundedFen: sql<string>`${orders.refundedFen}::text`.as("refundedFen"),
      inFlightFen: sql<string>`${orders.inFlightFen}::text`.as("inFlightFen"),
      refundCount: sql<number>`${orders.refundCount}`.as("refundCount"),
    })
    .from(orders)
    .innerJoin(merchants, eq(merchants.id, orders.merchantId))
    .where(and(...conditions))
    .orderBy(desc(orders.paidAt), desc(orders.id));
}

/**
 * Every order of the merchant matching the list's filters as a CSV stream, newest first, amounts in yuan, times in
 * Beijing time.
 */
export function exportOrdersCsv(
  db: Database,
  merchantId: string,
  filters: OrderFilters,
  t: OrderExportText,
): ReadableStream<Uint8Array> {
  const batches = (async function* () {
    // Not an async function returning the query: awaiting a drizzle query runs it.
    const conditions = await orderListConditions(db, merchantId, filters);
    yield* cursorBatches(db, orderExportQuery(db, conditions));
  })() as AsyncIterable<OrderExportRow[]>;
  return csvStream(ORDER_EXPORT_COLUMNS.map(t.header), batches, (r) => {
    const sums = {
      totalFen: Number(r.totalFen),
      refundedFen: Number(r.refundedFen),
      inFlightFen: Number(r.inFlightFen),
    };
    return [
      r.paidAt,
      r.outTradeNo,
      r.transactionId,
      r.merchant,
      r.description,
      fenToYuan(sums.totalFen),
      fenToYuan(sums.refundedFen),
      fenToYuan(sums.inFlightFen),
      fenToYuan(remainingFen(sums)),
      String(r.refundCount),
      t.state(refundState(sums)),
    ];
  });
}
