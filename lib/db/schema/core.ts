import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/*
 * List indexes are `DESC NULLS FIRST`: that is what `ORDER BY x DESC` means, and only an index in exactly that order
 * serves the lists' keyset pages (drizzle's plain `.desc()` writes NULLS LAST, which PostgreSQL cannot use for them).
 */

/** Money is integer fen in `*_fen` columns. JS numbers hold integers exactly up to 2^53 fen (about 90 trillion yuan). */
export const fen = (name: string) => bigint(name, { mode: "number" });
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const userRole = pgEnum("user_role", ["viewer", "operator", "approver", "admin"]);
export const merchantMode = pgEnum("merchant_mode", ["direct", "partner"]);
export const apiVersion = pgEnum("api_version", ["v3", "v2"]);
/** With a WeChat Pay public key: platform certificates still trusted beside it (WeChat's switch period), or not. */
export const platformCertificates = pgEnum("platform_certificates", ["trusted", "retired"]);
export const refundStatus = pgEnum("refund_status", [
  "AWAITING_APPROVAL", // maker-checker: amount reserved, not yet sent
  "PENDING", // recorded, amount reserved, not yet accepted by WeChat (queued, retrying, or outcome unknown)
  "PROCESSING", // accepted by WeChat, outcome not final
  "SUCCESS",
  "CLOSED", // closed by WeChat; amount released
  "ABNORMAL", // WeChat could not pay back the original way; needs an abnormal-refund application
  "FAILED", // finally rejected by WeChat before acceptance; amount released, may be retried with the same number
  "REJECTED", // refused by an approver; amount released
]);
/** Where an order came from: the shop's integration (`POST /api/v1/orders`, the demo seed), or WeChat Pay's order query. */
export const orderSource = pgEnum("order_source", ["shop", "wechat_query"]);
/** Who made a refund: the console, or someone outside it (WeChat Pay's merchant platform), found at WeChat. */
export const refundOrigin = pgEnum("refund_origin", ["console", "external"]);
export const eventSource = pgEnum("event_source", ["operator", "gateway", "notify", "reconciler", "system"]);
export const notificationProtocol = pgEnum("notification_protocol", ["v3", "v2"]);
export const verificationResult = pgEnum("verification_result", ["verified", "rejected"]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Sees and administers every merchant (role `admin` in each); everyone else only the merchants of `user_merchants`. */
    platformAdmin: boolean("platform_admin").notNull().default(false),
    disabled: boolean("disabled").notNull().default(false),
    failedLoginCount: integer("failed_login_count").notNull().default(0),
    /**
     * Carried by each session token and compared on every request: raised when the password is reset or the account
     * disabled, it ends every session opened before.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    lockedUntil: at("locked_until"),
    locale: text("locale"),
    dailyRefundLimitFen: fen("daily_refund_limit_fen"),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
);

export const merchants = pgTable(
  "merchants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    mchid: text("mchid").notNull(),
    appid: text("appid").notNull(),
    displayName: text("display_name").notNull(),
    mode: merchantMode("mode").notNull().default("direct"),
    subMchid: text("sub_mchid"),
    subAppid: text("sub_appid"),
    apiVersion: apiVersion("api_version").notNull().default("v3"),
    /** Set to `retired` once the merchant platform says the switch to the WeChat Pay public key is finished. */
    platformCertificates: platformCertificates("platform_certificates").notNull().default("trusted"),
    /**
     * Where the key material lives: `env` (the WECHATPAY_* variables; for the demo, `npm start` points them at the
     * simulator's keys) or `db` (encrypted rows in `merchant_credentials`, uploaded in the browser).
     */
    credentialsRef: text("credentials_ref").notNull().default("env"),
    merchantSerialNo: text("merchant_serial_no"),
    approvalThresholdFen: fen("approval_threshold_fen").notNull().default(100_000),
    /** A disabled merchant keeps its history but takes no new refunds. */
    active: boolean("active").notNull().default(true),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    unique("merchants_mchid_sub_mchid_key").on(t.mchid, t.subMchid).nullsNotDistinct(),
    check("merchants_partner_has_sub_mchid", sql`${t.mode} = 'direct' or ${t.subMchid} is not null`),
  ],
);

/** Which merchants a console user works for, and as what: the role is per merchant. */
export const userMerchants = pgTable(
  "user_merchants",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id, { onDelete: "cascade" }),
    role: userRole("role").notNull(),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.merchantId] }), index("user_merchants_merchant_idx").on(t.merchantId)],
);

export const orders = pgTable(
  "orders",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    outTradeNo: text("out_trade_no").notNull(),
    transactionId: text("transaction_id").notNull(),
    description: text("description").notNull().default(""),
    payerOpenid: text("payer_openid"),
    totalFen: fen("total_fen").notNull(),
    currency: text("currency").notNull().default("CNY"),
    paidAt: at("paid_at").notNull(),
    /**
     * Imported from a refund line of WeChat's bill (the payment's own line was in an earlier day's bill): paid_at is
     * the refund's time, an upper bound; the payment's own line, when imported, corrects it.
     */
    paidAtEstimated: boolean("paid_at_estimated").notNull().default(false),
    /** What the payer paid (WeChat's payer_total / cash_fee: the total less coupons); known for imported orders. */
    payerTotalFen: fen("payer_total_fen"),
    /** The shop's attach (附加数据) as WeChat returns it. */
    attach: text("attach"),
    source: orderSource("source").notNull().default("shop"),
    /**
     * When the console last confirmed the order and its refunds at WeChat Pay (import, or the re-check before a
     * refund): refunds made outside the console since then are unknown to it.
     */
    checkedAt: at("checked_at"),
    /** Cached sums, maintained in the same transaction as every refund change (under the order's row lock). */
    refundedFen: fen("refunded_fen").notNull().default(0),
    inFlightFen: fen("in_flight_fen").notNull().default(0),
    refundCount: integer("refund_count").notNull().default(0),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    unique("orders_merchant_out_trade_no_key").on(t.merchantId, t.outTradeNo),
    index("orders_merchant_paid_at_idx").on(t.merchantId, t.paidAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("orders_paid_at_idx").on(t.paidAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("orders_out_trade_no_idx").on(t.outTradeNo),
    index("orders_transaction_id_idx").on(t.transactionId),
    check("orders_total_positive", sql`${t.totalFen} > 0`),
    check("orders_currency_cny", sql`${t.currency} = 'CNY'`),
    // The last line of defence for the money rules: even a bug above cannot refund beyond the total or past 50.
    check(
      "orders_refunds_within_total",
      sql`${t.refundedFen} >= 0 and ${t.inFlightFen} >= 0 and ${t.refundedFen} + ${t.inFlightFen} <= ${t.totalFen}`,
    ),
    check("orders_refund_count_cap", sql`${t.refundCount} between 0 and 50`),
  ],
);

/**
 * Refunds a person must look at: ABNORMAL, outcome unknown, or PENDING after an error. The values are literals, not
 * parameters, so that PostgreSQL can match a query's condition to the partial index built on it.
 */
export function refundNeedsAttention(t: {
  status: AnyColumn;
  outcomeUnknown: AnyColumn;
  lastErrorCode: AnyColumn;
}): SQL {
  return sql`(${t.status} = 'ABNORMAL' or ${t.outcomeUnknown} or (${t.status} = 'PENDING' and ${t.lastErrorCode} is not null))`;
}

export const refunds = pgTable(
  "refunds",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orderId: bigint("order_id", { mode: "number" })
      .notNull()
      .references(() => orders.id),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    outRefundNo: text("out_refund_no").notNull(),
    refundId: text("refund_id"),
    /**
     * `external`: made outside the console (WeChat Pay's merchant platform) and found at WeChat. Counted in the
     * order's sums like any refund; never submitted, queried for resubmission or retried by the console.
     */
    origin: refundOrigin("origin").notNull().default("console"),
    amountFen: fen("amount_fen").notNull(),
    reason: text("reason").notNull().default(""),
    status: refundStatus("status").notNull().default("PENDING"),
    channel: text("channel"),
    userReceivedAccount: text("user_received_account"),
    fundsAccount: text("funds_account"),
    requestedBy: uuid("requested_by").references(() => users.id),
    approvedBy: uuid("approved_by").references(() => users.id),
    approvedAt: at("approved_at"),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    /** When the submission to WeChat is due: refunds of one order go at least a minute apart. */
    scheduledAt: at("scheduled_at"),
    submittedAt: at("submitted_at"),
    finishedAt: at("finished_at"),
    /** A request may have reached WeChat without an answer: query by out_refund_no before sending again. */
    outcomeUnknown: boolean("outcome_unknown").notNull().default(false),
    /** While set in the future, one worker is talking to WeChat about this refund; others leave it alone. */
    submittingUntil: at("submitting_until"),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    attemptCount: integer("attempt_count").notNull().default(0),
  },
  (t) => [
    index("refunds_status_created_at_idx").on(t.status, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("refunds_created_at_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("refunds_order_id_idx").on(t.orderId),
    index("refunds_pending_scheduled_idx")
      .on(t.scheduledAt)
      .where(sql`${t.status} = 'PENDING'`),
    index("refunds_merchant_created_at_idx").on(
      t.merchantId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // The per-operator daily limit sums an operator's refunds of the day.
    index("refunds_requested_by_created_at_idx").on(t.requestedBy, t.createdAt),
    // The "Needs attention" tab and its count, on every refunds page: a few rows among millions. The merchant leads,
    // so the count is an index-only scan of that merchant's entries, not a visit to each row for its merchant.
    index("refunds_merchant_needs_attention_idx")
      .on(t.merchantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(refundNeedsAttention(t)),
    // Unique per merchant, as WeChat makes it (商户退款单号 is unique within a mchid): two merchants may use the same
    // number. The number leads, so a search by number alone is an index lookup too.
    unique("refunds_out_refund_no_merchant_key").on(t.outRefundNo, t.merchantId),
    check("refunds_amount_positive", sql`${t.amountFen} > 0`),
    check("refunds_out_refund_no_format", sql`${t.outRefundNo} ~ '^[0-9A-Za-z_|*@-]{1,64}$'`),
  ],
);

export const refundEvents = pgTable(
  "refund_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    refundId: bigint("refund_id", { mode: "number" })
      .notNull()
      .references(() => refunds.id),
    at: at("at").notNull().defaultNow(),
    type: text("type").notNull(),
    source: eventSource("source").notNull(),
    actorId: uuid("actor_id").references(() => users.id),
    statusFrom: refundStatus("status_from"),
    statusTo: refundStatus("status_to"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("refund_events_refund_at_idx").on(t.refundId, t.at)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    receivedAt: at("received_at").notNull().defaultNow(),
    protocol: notificationProtocol("protocol").notNull(),
    /** WeChat's notification id (v3 `id`); v2 carries none. */
    notificationId: text("notification_id"),
    eventType: text("event_type"),
    verification: verificationResult("verification").notNull(),
    rejectionCode: text("rejection_code"),
    rejectionReason: text("rejection_reason"),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    /** The body as text; for a refused callback only its first 8 KiB (`rawBodyBytes` and `rawBodySha256` say the rest). */
    rawBody: text("raw_body").notNull(),
    /** The body's size in bytes as received (as announced, for one refused unread for its size). */
    rawBodyBytes: integer("raw_body_bytes"),
    /** SHA-256 of the whole body as received, hex: identifies it even when only its head is kept. */
    rawBodySha256: text("raw_body_sha256"),
    decrypted: jsonb("decrypted").$type<Record<string, unknown>>(),
    merchantId: uuid("merchant_id").references(() => merchants.id),
    refundId: bigint("refund_id", { mode: "number" }).references(() => refunds.id),
    /** applied | duplicate | unmatched | rejected | stale | error */
    outcome: text("outcome").notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
  },
  (t) => [
    index("notifications_received_at_idx").on(t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // A merchant's callback log pages by this: without it a small merchant's page walked everyone's callbacks (449 ms
    // at 10 M orders, docs/scaling.md).
    index("notifications_merchant_received_at_idx").on(
      t.merchantId,
      t.receivedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("notifications_outcome_idx").on(t.outcome, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("notifications_notification_id_idx").on(t.notificationId),
    // Exactly once, enforced by the database: one applied row per WeChat notification id.
    uniqueIndex("notifications_applied_once")
      .on(t.notificationId)
      .where(sql`${t.outcome} = 'applied' and ${t.notificationId} is not null`),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: at("at").notNull().defaultNow(),
    actorId: uuid("actor_id").references(() => users.id),
    /** Who acted, as shown: an email, `api-key:<prefix>`, `system`, or the email typed into a failed sign-in. */
    actorLabel: text("actor_label").notNull(),
    /** The merchant whose data the action touched; NULL for platform actions (sign-ins, users, merchants). */
    merchantId: uuid("merchant_id").references(() => merchants.id),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("audit_log_action_at_idx").on(t.action, t.at.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("audit_log_merchant_at_idx").on(t.merchantId, t.at.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export type User = typeof users.$inferSelect;
export type UserMerchant = typeof userMerchants.$inferSelect;
export type Merchant = typeof merchants.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
export type RefundEvent = typeof refundEvents.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type UserRole = (typeof userRole.enumValues)[number];
export type RefundStatus = (typeof refundStatus.enumValues)[number];
export type EventSource = (typeof eventSource.enumValues)[number];
export type RefundOrigin = (typeof refundOrigin.enumValues)[number];

/** Keys for the merchant API (`/api/v1`). Only a SHA-256 of the key is stored; the key is shown once. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** The first characters of the key, to tell keys apart in lists and logs. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    merchantId: uuid("merchant_id").references(() => merchants.id),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: at("created_at").notNull().defaultNow(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash)],
);

/** First answers to merchant API requests by Idempotency-Key, replayed for repeats. */
export const apiIdempotency = pgTable(
  "api_idempotency",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status").notNull(),
    responseBody: jsonb("response_body").$type<unknown>().notNull(),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [unique("api_idempotency_key").on(t.apiKeyId, t.key)],
);

export type ApiKey = typeof apiKeys.$inferSelect;

/**
 * Counters per second or minute shared by every instance of the console, on the database's clock: WeChat Pay's error
 * rate per merchant (back off past 6 errors/s), the bulk feeder's windows, sign-in and callback refusal limits.
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    bucket: text("bucket").notNull(),
    windowStart: at("window_start").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);

/**
 * When the next request of a bucket (a merchant's calls to WeChat Pay) may leave, shared by every instance: each
 * request takes the next free moment and moves it on by one interval, so requests leave evenly spaced; and the
 * moments of the error answers of the last second, which pause the bucket when they reach the limit
 * (lib/wechatpay/rate-limit.ts, ADR 023).
 */
export const rateLimitSchedules = pgTable("rate_limit_schedules", {
  bucket: text("bucket").primaryKey(),
  nextAt: at("next_at").notNull(),
  recentErrors: timestamp("recent_errors", { withTimezone: true, mode: "date" })
    .array()
    .notNull()
    .default(sql`'{}'`),
});
