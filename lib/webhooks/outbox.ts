import { eq, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { Db, Transaction } from "../db/client";
import { orders, refunds, webhookEndpoints } from "../db/schema";
import { isoBeijing, refundJson } from "../merchant-api/format";
import { newMessageId, webhookBody, type WebhookEventType } from "./events";

/** Workers LISTEN on this channel; NOTIFY inside a transaction is only delivered if it commits. */
export const OUTBOX_CHANNEL = "webhook_outbox";

export interface OutboxEvent {
  merchantId: string;
  type: string;
  refundId?: number | null;
  data: Record<string, unknown>;
  at: Date;
  /** Only this endpoint (a test event); otherwise every endpoint of the merchant subscribed to the type. */
  endpointId?: string;
}

/**
 * Write an event to the outbox with one delivery per endpoint that wants it, inside the caller's transaction: the
 * event exists if and only if what it reports committed. Returns the event's `webhook-id`, or null when no endpoint
 * wants it (nothing is written then).
 */
export async function writeOutboxEvent(tx: Db, event: OutboxEvent): Promise<string | null> {
  const messageId = newMessageId();
  const at = event.at.toISOString();
  const body = webhookBody(messageId, event.type, isoBeijing(event.at), event.data);
  const endpoints = event.endpointId
    ? sql`e.id = ${event.endpointId} and e.merchant_id = ${event.merchantId}`
    : sql`e.merchant_id = ${event.merchantId} and e.status <> 'disabled' and ${event.type} = any(e.events)`;
  const [rows] = await Promise.all([
    tx.execute<{ id: number }>(sql`
      with wanted as (select e.id from webhook_endpoints e where ${endpoints}),
      event as (
        insert into webhook_events (message_id, merchant_id, type, refund_id, payload, created_at)
        select ${messageId}, ${event.merchantId}, ${event.type}, ${event.refundId ?? null}, ${JSON.stringify(body)}::jsonb, ${at}::timestamptz
        where exists (select 1 from wanted)
        returning id, refund_id)
      insert into webhook_deliveries (event_id, endpoint_id, refund_id, next_attempt_at, created_at)
      select event.id, wanted.id, event.refund_id, ${at}::timestamptz, ${at}::timestamptz from event, wanted
      returning id`),
    tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`),
  ]);
  return rows.length ? messageId : null;
}

/**
 * Whether any endpoint of the refund's merchant wants events of `type`: an expression for the RETURNING of the
 * refund's timeline insert (or, given the refund's id, any statement), so the common case — nobody subscribed —
 * costs no statement of its own. `type` may be a placeholder, bound when the statement runs (lib/db/statement.ts).
 */
export function refundEventWanted(
  type: WebhookEventType | Placeholder,
  // Qualified by hand: drizzle writes a RETURNING column unqualified, which here would name refunds.refund_id.
  refundId: SQL = sql.raw("refund_events.refund_id"),
) {
  return sql<boolean>`exists (select 1 from ${webhookEndpoints} e join ${refunds} r on r.merchant_id = e.merchant_id where r.id = ${refundId} and e.status <> 'disabled' and ${type} = any(e.events))`;
}

/**
 * The outbox half of a refund's status change that an endpoint wants (`refundEventWanted`), called by
 * `appendRefundEvent` (the one place every status change passes) after the change's statements were sent in the same
 * transaction, so the refund read here is the new one.
 */
export async function writeRefundOutbox(
  tx: Transaction,
  refundId: number,
  type: WebhookEventType,
  at: Date,
): Promise<void> {
  const [row] = await tx
    .select({ refund: refunds, outTradeNo: orders.outTradeNo })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .where(eq(refunds.id, refundId));
  if (row) await writeOutboxEvent(tx, refundEvent(row.refund, row.outTradeNo, type, at));
}

export function refundEvent(
  refund: Parameters<typeof refundJson>[0],
  outTradeNo: string,
  type: WebhookEventType,
  at: Date,
): OutboxEvent {
  return {
    merchantId: refund.merchantId,
    type,
    refundId: refund.id,
    data: { refund: refundJson(refund, outTradeNo) },
    at,
  };
}
