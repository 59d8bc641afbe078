import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../db/schema";

/** A column of a delivery's latest attempt. */
const lastAttempt = <T>(column: "response_status" | "error" | "duration_ms") =>
  sql<T>`(select a.${sql.identifier(column)} from webhook_attempts a where a.delivery_id = ${webhookDeliveries.id} order by a.id desc limit 1)`;

/**
 * The endpoint's latest deliveries, newest first, each with its event and its last attempt's answer. The caller has
 * found the endpoint within its merchant (`findEndpoint`), so the endpoint id alone scopes these.
 */
export async function listDeliveries(db: Db, endpointId: string, limit = 50) {
  return db
    .select({
      id: webhookDeliveries.id,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      createdAt: webhookDeliveries.createdAt,
      messageId: webhookEvents.messageId,
      type: webhookEvents.type,
      lastStatus: lastAttempt<number | null>("response_status"),
      lastError: lastAttempt<string | null>("error"),
      lastDurationMs: lastAttempt<number | null>("duration_ms"),
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit);
}

/** The endpoint's latest attempts, newest first: what was sent and what came back. */
export async function listAttempts(db: Db, endpointId: string, limit = 50) {
  return db
    .select({
      id: webhookAttempts.id,
      deliveryId: webhookAttempts.deliveryId,
      attempt: webhookAttempts.attempt,
      at: webhookAttempts.at,
      url: webhookAttempts.url,
      requestHeaders: webhookAttempts.requestHeaders,
      requestBody: webhookAttempts.requestBody,
      responseStatus: webhookAttempts.responseStatus,
      responseExcerpt: webhookAttempts.responseExcerpt,
      error: webhookAttempts.error,
      durationMs: webhookAttempts.durationMs,
    })
    .from(webhookAttempts)
    .where(eq(webhookAttempts.endpointId, endpointId))
    .orderBy(desc(webhookAttempts.id))
    .limit(limit);
}
