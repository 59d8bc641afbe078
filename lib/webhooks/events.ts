import { randomBytes } from "node:crypto";
import type { RefundStatus } from "../db/schema";

/** What an endpoint can subscribe to (docs/webhooks.md). */
export const WEBHOOK_EVENT_TYPES = [
  "refund.created",
  "refund.succeeded",
  "refund.closed",
  "refund.abnormal",
  "refund.failed",
  "bulk.completed",
  "reconciliation.mismatch",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by "Send test event", to the one endpoint asked; nobody subscribes to it. */
export const TEST_EVENT_TYPE = "webhook.test";

/** The body's shape; a change that could break a receiver gets a new version, announced in docs/webhooks.md. */
export const WEBHOOK_PAYLOAD_VERSION = "2026-12-01";

const FINAL_EVENTS: Partial<Record<RefundStatus, WebhookEventType>> = {
  SUCCESS: "refund.succeeded",
  CLOSED: "refund.closed",
  ABNORMAL: "refund.abnormal",
  FAILED: "refund.failed",
};

/** The event a refund's status change is, if any: recorded (from nothing) or reaching an outcome a shop acts on. */
export function refundEventType(from: RefundStatus | null, to: RefundStatus): WebhookEventType | null {
  if (from === null) return "refund.created";
  return from === to ? null : (FINAL_EVENTS[to] ?? null);
}

/** Standard Webhooks' `webhook-id`: unique per event, the same on every attempt, so receivers can drop repeats. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString("base64url")}`;
}

export interface WebhookBody {
  id: string;
  type: string;
  api_version: string;
  created_at: string;
  data: Record<string, unknown>;
}

export function webhookBody(
  messageId: string,
  type: string,
  createdAt: string,
  data: Record<string, unknown>,
): WebhookBody {
  return { id: messageId, type, api_version: WEBHOOK_PAYLOAD_VERSION, created_at: createdAt, data };
}
