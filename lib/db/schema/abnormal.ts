import { sql } from "drizzle-orm";
import { bigint, index, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, merchants, refunds, users } from "./core";

/**
 * An application to send an ABNORMAL refund's money to the payer's bank card: the money goes to whatever account is
 * typed in, so one approver enters it and another approves it (maker-checker). `APPROVED` until WeChat has answered,
 * then `SENT` or `FAILED`.
 */
export const bankCardApplicationStatus = pgEnum("bank_card_application_status", [
  "AWAITING_APPROVAL",
  "REJECTED",
  "APPROVED",
  "SENT",
  "FAILED",
]);

export const bankCardApplications = pgTable(
  "bank_card_applications",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    refundId: bigint("refund_id", { mode: "number" })
      .notNull()
      .references(() => refunds.id),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    status: bankCardApplicationStatus("status").notNull().default("AWAITING_APPROVAL"),
    bankType: text("bank_type").notNull(),
    /** For people: the card's last digits and the name's first character. */
    maskedAccount: text("masked_account").notNull(),
    maskedName: text("masked_name").notNull(),
    /**
     * The card number and name, sealed with APP_ENCRYPTION_KEY until WeChat has them; cleared once the application is
     * sent, refused by WeChat or rejected, so the console keeps no card number longer than it must.
     */
    cardSealed: text("card_sealed"),
    enteredBy: uuid("entered_by")
      .notNull()
      .references(() => users.id),
    enteredAt: at("entered_at").notNull().defaultNow(),
    decidedBy: uuid("decided_by").references(() => users.id),
    decidedAt: at("decided_at"),
    note: text("note"),
    /** WeChat's code when it refused the application. */
    resultCode: text("result_code"),
  },
  (t) => [
    // One application at a time per refund.
    uniqueIndex("bank_card_applications_one_open")
      .on(t.refundId)
      .where(sql`${t.status} in ('AWAITING_APPROVAL', 'APPROVED')`),
    index("bank_card_applications_merchant_status_idx").on(t.merchantId, t.status),
  ],
);

export type BankCardApplication = typeof bankCardApplications.$inferSelect;
