import { createHash, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client";
import { scrapeMetrics, type QueueSizes } from "./scrape";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
function authorised(request: Request, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * GET /api/metrics: Prometheus exposition for this instance. It exists only with a token configured (METRICS_TOKEN),
 * and answers 401 to a scrape without that bearer token: refund counts per merchant are business data.
 */
export async function metricsResponse(
  request: Request,
  token: string | undefined,
  db: Db,
  queues: () => Promise<QueueSizes>,
): Promise<Response> {
  if (!token) return new Response("Not found", { status: 404 });
  if (!authorised(request, token)) {
    return new Response("Unauthorized", {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store" },
    });
  }
  const scraped = await scrapeMetrics(db, await queues());
  return new Response(scraped.body, { headers: { "Content-Type": scraped.contentType, "Cache-Control": "no-store" } });
}
