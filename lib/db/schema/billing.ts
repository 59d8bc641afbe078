import { bigint, date, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { at, fen, merchants, refunds, users } from "./core";

export const billDayStatus = pgEnum("bill_day_status", [
  "PENDING", // not fetched yet, or to be fetched again
  "MISSING", // WeChat has no bill (yet); retried later
  "MATCHED",
  "MISMATCHED", // open mismatches remain
  "ERROR", // the bill could not be used (hash mismatch, unreadable); retried later
]);

export const mismatchKind = pgEnum("mismatch_kind", [
  "MISSING_FROM_BILL", // succeeded in the console, absent from WeChat's bill
  "NOT_SUCCESS_IN_CONSOLE", // in the bill, but processing / closed / failed in the console
  "UNKNOWN_TO_CONSOLE", // in the bill, never requested through the console (made by hand in the merchant platform)
  "AMOUNT_DIFFERS", // refund, settlement refund or coupon refund amounts differ
]);

export const mismatchStatus = pgEnum("mismatch_status", ["OPEN", "RESOLVED"]);

/** One merchant's refund bill for one day, and how it compared with the console. */
export const billDays = pgTable(
  "bill_days",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    billDate: date("bill_date", { mode: "string" }).notNull(),
    status: billDayStatus("status").notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at"),
    fetchedAt: at("fetched_at"),
    hashType: text("hash_type"),
    hashValue: text("hash_value"),
    lineCount: integer("line_count"),
    /** Totals as WeChat's summary states them and as the console counts them, for the page. */
    billTotals: jsonb("bill_totals").$type<Record<string, number>>(),
    consoleTotals: jsonb("console_totals").$type<Record<string, number>>(),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("bill_days_merchant_date_key").on(t.merchantId, t.billDate),
    index("bill_days_date_idx").on(t.billDate),
  ],
);

/** A refund line of a downloaded bill, kept as evidence. */
export const billLines = pgTable(
  "bill_lines",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    billDayId: bigint("bill_day_id", { mode: "number" })
      .notNull()
      .references(() => billDays.id),
    lineNo: integer("line_no").notNull(),
    outTradeNo: text("out_trade_no"),
    transactionId: text("transaction_id"),
    outRefundNo: text("out_refund_no").notNull(),
    wechatRefundId: text("wechat_refund_id"),
    refundFen: fen("refund_fen").notNull(),
    /** 充值券退款金额: refunded from coupons rather than to the payer. */
    couponRefundFen: fen("coupon_refund_fen").notNull().default(0),
    /** 应结退款金额 / settlement refund, when the bill states it. */
    settlementRefundFen: fen("settlement_refund_fen"),
    refundStatus: text("refund_status"),
    /** Every column of the line as WeChat wrote it (backticks removed). */
    raw: jsonb("raw").$type<Record<string, string>>().notNull(),
  },
  (t) => [
    unique("bill_lines_day_line_key").on(t.billDayId, t.lineNo),
    index("bill_lines_out_refund_no_idx").on(t.outRefundNo),
  ],
);

/** A difference between the bill and the console, waiting for someone to resolve it. */
export const reconciliationMismatches = pgTable(
  "reconciliation_mismatches",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    billDayId: bigint("bill_day_id", { mode: "number" })
      .notNull()
      .references(() => billDays.id),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    kind: mismatchKind("kind").notNull(),
    outRefundNo: text("out_refund_no").notNull(),
    refundId: bigint("refund_id", { mode: "number" }).references(() => refunds.id),
    consoleValue: jsonb("console_value").$type<Record<string, unknown>>(),
    billValue: jsonb("bill_value").$type<Record<string, unknown>>(),
    status: mismatchStatus("status").notNull().default("OPEN"),
    /** queried | accepted_bill | explained */
    resolution: text("resolution"),
    note: text("note"),
    resolvedBy: uuid("resolved_by").references(() => users.id),
    resolvedAt: at("resolved_at"),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    unique("reconciliation_mismatches_key").on(t.billDayId, t.outRefundNo, t.kind),
    index("reconciliation_mismatches_status_idx").on(t.status, t.createdAt.desc().nullsFirst()),
    index("reconciliation_mismatches_refund_idx").on(t.refundId),
  ],
);

/** Each request the console made to WeChat Pay and its answer, secrets and personal data redacted: the evidence trail. */
export const gatewayExchanges = pgTable(
  "gateway_exchanges",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: at("at").notNull().defaultNow(),
    merchantId: uuid("merchant_id").references(() => merchants.id),
    refundId: bigint("refund_id", { mode: "number" }).references(() => refunds.id),
    outRefundNo: text("out_refund_no"),
    /** apply | query | abnormal | bill */
    operation: text("operation").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    request: jsonb("request").$type<unknown>(),
    responseStatus: integer("response_status"),
    response: jsonb("response").$type<unknown>(),
    errorCode: text("error_code"),
    durationMs: integer("duration_ms").notNull(),
    actorId: uuid("actor_id").references(() => users.id),
  },
  (t) => [
    index("gateway_exchanges_refund_idx").on(t.refundId, t.at),
    index("gateway_exchanges_out_refund_no_idx").on(t.outRefundNo),
    index("gateway_exchanges_at_idx").on(t.at.desc().nullsFirst()),
  ],
);

export type BillDay = typeof billDays.$inferSelect;
export type BillLine = typeof billLines.$inferSelect;
export type ReconciliationMismatch = typeof reconciliationMismatches.$inferSelect;
export type GatewayExchange = typeof gatewayExchanges.$inferSelect;
export type MismatchKind = (typeof mismatchKind.enumValues)[number];
export type BillDayStatus = (typeof billDayStatus.enumValues)[number];
