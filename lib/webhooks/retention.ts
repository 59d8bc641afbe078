import { and, eq, inArray, lt, ne, notExists } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookDeliveries, webhookEvents } from "../db/schema";

/** Rows deleted per table and sweep: a backlog of old history goes over a few minutes, never in one long statement. */
const PURGE_BATCH = 5_000;

/**
 * Webhook history is kept for `retentionDays` (WEBHOOK_HISTORY_RETENTION_DAYS, 30 by default), then deleted, so the
 * outbox and the delivery log stay bounded however many refunds a merchant makes: finished deliveries (delivered, or
 * failed after their three days of retries) with their logged attempts, then the events no delivery needs any more.
 * A pending delivery and its event are never deleted.
 */
export async function purgeWebhookHistory(
  db: Db,
  retentionDays: number,
  now = new Date(),
): Promise<{ deliveries: number; events: number }> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  const oldFinished = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(ne(webhookDeliveries.status, "pending"), lt(webhookDeliveries.createdAt, before)))
    .limit(PURGE_BATCH);
  // Their attempts go with them (ON DELETE CASCADE).
  const deliveries = await db
    .delete(webhookDeliveries)
    .where(inArray(webhookDeliveries.id, oldFinished))
    .returning({ id: webhookDeliveries.id });
  const unneeded = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        lt(webhookEvents.createdAt, before),
        notExists(db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, webhookEvents.id))),
      ),
    )
    .limit(PURGE_BATCH);
  const events = await db
    .delete(webhookEvents)
    .where(inArray(webhookEvents.id, unneeded))
    .returning({ id: webhookEvents.id });
  return { deliveries: deliveries.length, events: events.length };
}
