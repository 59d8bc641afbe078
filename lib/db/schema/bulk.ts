import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { at, fen, merchants, orders, refunds, users } from "./core";
import type { Message } from "../../message";

export const bulkBatchStatus = pgEnum("bulk_batch_status", [
  "VALIDATED", // uploaded and checked; waiting for the operator to confirm
  "AWAITING_APPROVAL", // confirmed, above the threshold: an approver decides for the whole batch
  "RUNNING",
  "PAUSED",
  "CANCELLED",
  "COMPLETED",
  "REJECTED", // refused by an approver
]);

export const bulkRowStatus = pgEnum("bulk_row_status", [
  "INVALID", // refused by the preview; never run
  "READY", // valid, waiting its turn
  "REQUESTED", // the refund was recorded (and goes on like any refund)
  "FAILED", // refused when its turn came (the order changed since the preview)
  "SKIPPED", // the batch was cancelled before its turn
]);

/** One uploaded CSV of refunds. */
export const bulkBatches = pgTable(
  "bulk_batches",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    fileName: text("file_name").notNull(),
    status: bulkBatchStatus("status").notNull().default("VALIDATED"),
    totalRows: integer("total_rows").notNull(),
    validRows: integer("valid_rows").notNull(),
    /** Sum of the valid rows' amounts, resolved at validation ("full" = the remaining then). */
    validAmountFen: fen("valid_amount_fen").notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: at("created_at").notNull().defaultNow(),
    confirmedAt: at("confirmed_at"),
    decidedBy: uuid("decided_by").references(() => users.id),
    decidedAt: at("decided_at"),
    decisionNote: text("decision_note"),
    startedAt: at("started_at"),
    finishedAt: at("finished_at"),
  },
  (t) => [index("bulk_batches_created_at_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
);

/** One line of a bulk CSV, with its validation result and, once run, the refund it became. */
export const bulkRows = pgTable(
  "bulk_rows",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    batchId: bigint("batch_id", { mode: "number" })
      .notNull()
      .references(() => bulkBatches.id),
    lineNo: integer("line_no").notNull(),
    outTradeNo: text("out_trade_no").notNull(),
    /** The amount as written in the file (yuan, or "full"). */
    amountText: text("amount_text").notNull(),
    full: boolean("full").notNull().default(false),
    amountFen: fen("amount_fen"),
    reason: text("reason").notNull().default(""),
    orderId: bigint("order_id", { mode: "number" }).references(() => orders.id),
    payerOpenid: text("payer_openid"),
    /** Chosen at validation, so a row retried after a crash can never become a second refund. */
    outRefundNo: text("out_refund_no"),
    status: bulkRowStatus("status").notNull(),
    errorCode: text("error_code"),
    errorMessage: jsonb("error_message").$type<Message>(),
    refundId: bigint("refund_id", { mode: "number" }).references(() => refunds.id),
    processedAt: at("processed_at"),
  },
  (t) => [
    unique("bulk_rows_batch_line_key").on(t.batchId, t.lineNo),
    index("bulk_rows_batch_status_idx").on(t.batchId, t.status, t.lineNo),
    check("bulk_rows_amount_positive", sql`${t.amountFen} is null or ${t.amountFen} > 0`),
  ],
);

export type BulkBatch = typeof bulkBatches.$inferSelect;
export type BulkRow = typeof bulkRows.$inferSelect;
export type BulkBatchStatus = (typeof bulkBatchStatus.enumValues)[number];
export type BulkRowStatus = (typeof bulkRowStatus.enumValues)[number];
