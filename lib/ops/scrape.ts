import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants, refunds } from "../db/schema";
import { consoleMetrics } from "./metrics";

/** What the scrape needs of the job queue: its depth per queue (pg-boss's getQueueSize). */
export interface QueueSizes {
  names: readonly string[];
  size(name: string): Promise<number>;
}

/**
 * The exposition for one scrape: the database-backed gauges refreshed first (refunds by merchant and status, queue
 * depths), then everything in the registry. A gauge series that no longer exists (a status with no refunds left) is
 * dropped by resetting before setting.
 */
export async function scrapeMetrics(db: Db, queues: QueueSizes): Promise<{ contentType: string; body: string }> {
  const metrics = consoleMetrics();
  const rows = await db
    .select({ merchant: merchants.mchid, status: refunds.status, n: count() })
    .from(refunds)
    .innerJoin(merchants, eq(merchants.id, refunds.merchantId))
    .groupBy(merchants.mchid, refunds.status);
  metrics.refunds.reset();
  for (const row of rows) metrics.refunds.set({ merchant: row.merchant, status: row.status }, row.n);
  metrics.queueDepth.reset();
  for (const name of queues.names) metrics.queueDepth.set({ queue: name }, await queues.size(name));
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
