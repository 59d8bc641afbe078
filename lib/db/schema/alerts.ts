import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, merchants } from "./core";

/** Group robots the operators already read (docs/alerts.md), and a plain JSON webhook for anything else. */
export const alertChannelKind = pgEnum("alert_channel_kind", ["wecom", "dingtalk", "feishu", "webhook"]);

export const alertChannels = pgTable(
  "alert_channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null: alerts about every merchant (and about none, such as the gateway's error rate). */
    merchantId: uuid("merchant_id").references(() => merchants.id),
    kind: alertChannelKind("kind").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    /** DingTalk's and Feishu's signing secret (加签 / 签名校验); unused by the others. */
    secret: text("secret"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: at("created_at").notNull().defaultNow(),
  },
  (t) => [index("alert_channels_merchant_idx").on(t.merchantId)],
);

/**
 * Something an operator must hear about, raised once per subject (a refund, an endpoint, an hour of gateway errors)
 * and sent with others of its kind in one message.
 */
export const alertItems = pgTable(
  "alert_items",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text("kind").notNull(),
    merchantId: uuid("merchant_id").references(() => merchants.id),
    subject: text("subject").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    raisedAt: at("raised_at").notNull().defaultNow(),
    sentAt: at("sent_at"),
  },
  (t) => [
    uniqueIndex("alert_items_kind_subject_key").on(t.kind, t.subject),
    index("alert_items_unsent_idx")
      .on(t.raisedAt)
      .where(sql`${t.sentAt} is null`),
  ],
);

/** Each message sent to a channel: the rate limit counts these, and the settings page shows the last ones. */
export const alertMessages = pgTable(
  "alert_messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => alertChannels.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    itemCount: integer("item_count").notNull(),
    sentAt: at("sent_at").notNull(),
    responseStatus: integer("response_status"),
    error: text("error"),
  },
  (t) => [index("alert_messages_channel_sent_idx").on(t.channelId, t.sentAt)],
);

export type AlertChannel = typeof alertChannels.$inferSelect;
export type AlertItem = typeof alertItems.$inferSelect;
