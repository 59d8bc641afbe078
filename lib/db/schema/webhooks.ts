import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { at, merchants, refunds } from "./core";

/** `failing`: a delivery gave up after three days of retries; events still queue for it and a success clears it. */
export const webhookEndpointStatus = pgEnum("webhook_endpoint_status", ["enabled", "disabled", "failing"]);
export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed"]);

/** Where a merchant's back end wants to be told about its refunds (docs/webhooks.md). */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Event types subscribed to (lib/webhooks/events.ts). */
    events: text("events").array().notNull(),
    status: webhookEndpointStatus("status").notNull().default("enabled"),
    /**
     * The Standard Webhooks signing secret (`whsec_…`). It must be readable to sign with, so it is not hashed; see
     * docs/adr/016. After a rotation the previous one keeps signing beside it until `previousSecretExpiresAt`.
     */
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: at("previous_secret_expires_at"),
    failingSince: at("failing_since"),
    createdAt: at("created_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [index("webhook_endpoints_merchant_idx").on(t.merchantId)],
);

/**
 * The outbox: one row per event, written in the transaction that made it happen. `messageId` is the `webhook-id`
 * every endpoint sees for it, on every attempt; `payload` is the body, frozen as it was at that moment.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    messageId: text("message_id").notNull().unique(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    type: text("type").notNull(),
    refundId: bigint("refund_id", { mode: "number" }).references(() => refunds.id),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [index("webhook_events_merchant_created_idx").on(t.merchantId, t.createdAt)],
);

/** One event for one endpoint: retried until delivered or three days have passed. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: bigint("event_id", { mode: "number" })
      .notNull()
      .references(() => webhookEvents.id),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** Copied from the event: deliveries of one refund to one endpoint go in event order. */
    refundId: bigint("refund_id", { mode: "number" }),
    status: webhookDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When the retries started (the first attempt, or a resend): they end three days later. */
    firstAttemptAt: at("first_attempt_at"),
    nextAttemptAt: at("next_attempt_at").notNull().defaultNow(),
    /** While in the future, one worker is sending this delivery; others leave it alone. */
    leasedUntil: at("leased_until"),
    deliveredAt: at("delivered_at"),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    unique("webhook_deliveries_event_endpoint_key").on(t.eventId, t.endpointId),
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
    check("webhook_deliveries_attempts", sql`${t.attempts} >= 0`),
  ],
);

/** The delivery log: every HTTP attempt, what was sent and what came back (an excerpt). */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint("delivery_id", { mode: "number" })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: at("at").notNull(),
    url: text("url").notNull(),
    requestHeaders: jsonb("request_headers").$type<Record<string, string>>().notNull(),
    requestBody: text("request_body").notNull(),
    responseStatus: integer("response_status"),
    responseExcerpt: text("response_excerpt"),
    /** Why there was no usable answer: a refused address, a timeout, a connection error. */
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_endpoint_idx").on(t.endpointId, t.id.desc())],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;
