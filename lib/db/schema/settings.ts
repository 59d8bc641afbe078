import { boolean, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { at } from "./core";

/** The reasons offered in the refund form, edited by admins. WeChat shows the reason to the payer (≤ 80 chars). */
export const refundReasons = pgTable(
  "refund_reasons",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    label: text("label").notNull(),
    sortOrder: integer("sort_order").notNull().default(0),
    /** Retired reasons stay for the refunds that used them but are no longer offered. */
    active: boolean("active").notNull().default(true),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("refund_reasons_label_key").on(sql`lower(${t.label})`)],
);

export type RefundReason = typeof refundReasons.$inferSelect;
