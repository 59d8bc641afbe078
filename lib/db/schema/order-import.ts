import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { at, merchants, users } from "./core";
import type { Message } from "../../message";

export const orderImportDayStatus = pgEnum("order_import_day_status", [
  "PENDING", // not fetched yet
  "IMPORTED", // the day's payments are orders (a day without a bill had none)
  "MISSING", // WeChat is still making the bill; fetched again later
  "ERROR", // the bill could not be used (hash mismatch, unreadable, download failed); fetched again later
]);

/** One merchant's ALL trade bill of one day, imported as orders. */
export const orderImportDays = pgTable(
  "order_import_days",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    billDate: date("bill_date", { mode: "string" }).notNull(),
    status: orderImportDayStatus("status").notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at"),
    fetchedAt: at("fetched_at"),
    hashType: text("hash_type"),
    hashValue: text("hash_value"),
    /** Lines of the bill, and those of them that are payments (SUCCESS, or a REFUND naming its payment). */
    lineCount: integer("line_count"),
    paymentCount: integer("payment_count"),
    /** Orders the last run created; a re-run of the same bill creates none. */
    importedCount: integer("imported_count"),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("order_import_days_merchant_date_key").on(t.merchantId, t.billDate),
    index("order_import_days_next_attempt_idx").on(t.nextAttemptAt),
  ],
);

export const orderBackfillStatus = pgEnum("order_backfill_status", ["QUEUED", "RUNNING", "DONE"]);

/** An operator's request to import the ALL bills of a range of days, and how far it has come. */
export const orderBackfills = pgTable(
  "order_backfills",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    fromDate: date("from_date", { mode: "string" }).notNull(),
    toDate: date("to_date", { mode: "string" }).notNull(),
    status: orderBackfillStatus("status").notNull().default("QUEUED"),
    daysTotal: integer("days_total").notNull(),
    daysDone: integer("days_done").notNull().default(0),
    /** Days whose bill could not be imported (their import day says why and is retried on its own). */
    daysFailed: integer("days_failed").notNull().default(0),
    rowsImported: integer("rows_imported").notNull().default(0),
    requestedBy: uuid("requested_by").references(() => users.id),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    finishedAt: at("finished_at"),
  },
  (t) => [
    index("order_backfills_merchant_created_idx").on(t.merchantId, t.createdAt.desc()),
    check("order_backfills_range", sql`${t.fromDate} <= ${t.toDate} and ${t.daysDone} <= ${t.daysTotal}`),
  ],
);

export type OrderImportDay = typeof orderImportDays.$inferSelect;
export type OrderBackfill = typeof orderBackfills.$inferSelect;

/** One line of an orders file that was not imported, and why. */
export interface OrderFileProblem {
  lineNo: number;
  outTradeNo: string;
  code: string;
  message: Message;
}

/** An orders file uploaded by an operator (a merchant moving from another system), with its line-by-line outcome. */
export const orderFileImports = pgTable(
  "order_file_imports",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    fileName: text("file_name").notNull(),
    encoding: text("encoding").notNull(),
    totalRows: integer("total_rows").notNull(),
    /** New orders made from the file. */
    importedRows: integer("imported_rows").notNull(),
    /** Lines whose order the merchant already had, exactly as the file states it (a file uploaded again). */
    unchangedRows: integer("unchanged_rows").notNull(),
    /** Lines refused; each is in `problems`, for the error report. */
    problems: jsonb("problems").$type<OrderFileProblem[]>().notNull(),
    uploadedBy: uuid("uploaded_by").references(() => users.id),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [index("order_file_imports_merchant_created_idx").on(t.merchantId, t.createdAt.desc())],
);

export type OrderFileImport = typeof orderFileImports.$inferSelect;
