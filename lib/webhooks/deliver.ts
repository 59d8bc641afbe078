import { and, eq, sql } from "drizzle-orm";
import { raiseAlert } from "../alerts/raise";
import type { Database } from "../db/client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { log } from "../log";
import { postOutside, type PostOutcome } from "./post";
import { nextAttemptAt } from "./retry";
import { endpointSecretOwner, readSecret } from "./secret-box";
import { signingSecrets, webhookHeaders } from "./sign";
import type { Resolver, UrlPolicy } from "./ssrf";

/** The whole HTTP exchange of one attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** A claimed delivery is left alone this long: well past the timeout, so only a dead worker's claim runs out. */
const LEASE_MS = 60_000;

export interface DeliveryDependencies {
  policy: UrlPolicy;
  resolver: Resolver;
  now?: () => Date;
  random?: () => number;
  timeoutMs?: number;
}

/**
 * A delivery that may go now: pending, due, not claimed, its endpoint not disabled, and first in line — no earlier
 * event about the same refund is still pending for the same endpoint (a shop never hears "succeeded" before "created").
 */
const sendable = (now: Date) => sql`
  d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
  and (d.leased_until is null or d.leased_until < ${now.toISOString()}::timestamptz)
  and e.status <> 'disabled'
  and (d.refund_id is null or not exists (
    select 1 from webhook_deliveries earlier
    where earlier.endpoint_id = d.endpoint_id and earlier.refund_id = d.refund_id
      and earlier.status = 'pending' and earlier.event_id < d.event_id))`;

/** Deliveries that may go now, oldest first. */
export async function dueDeliveries(db: Database, now: Date, limit = 500): Promise<number[]> {
  const rows = await db.execute<{ id: number }>(sql`
    select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
    where ${sendable(now)} order by d.id limit ${limit}`);
  return rows.map((r) => Number(r.id));
}

/** Claim a delivery for one attempt (lease, count), or null if it is not sendable now or another worker has it. */
async function claim(db: Database, deliveryId: number, now: Date) {
  return db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: number }>(sql`
      select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = ${deliveryId} and ${sendable(now)}
      for update of d skip locked`);
    if (!rows.length) return null;
    const [delivery] = await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        firstAttemptAt: sql`coalesce(${webhookDeliveries.firstAttemptAt}, ${now.toISOString()}::timestamptz)`,
        leasedUntil: new Date(now.getTime() + LEASE_MS),
      })
      .where(eq(webhookDeliveries.id, deliveryId))
      .returning();
    const [row] = await tx
      .select({ event: webhookEvents, endpoint: webhookEndpoints })
      .from(webhookEvents)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, delivery!.endpointId))
      .where(eq(webhookEvents.id, delivery!.eventId));
    return { delivery: delivery!, ...row! };
  });
}

export type AttemptResult =
  { kind: "skipped" } | { kind: "delivered" } | { kind: "retry"; at: Date } | { kind: "failed" };

/**
 * One attempt at one delivery: claim it, sign and POST it outside any transaction, then record the attempt in the
 * log and the outcome on the delivery. After three days of failures the delivery is given up, its endpoint marked
 * failing and the operators alerted; a success clears a failing endpoint.
 */
export async function attemptDelivery(
  db: Database,
  deliveryId: number,
  deps: DeliveryDependencies,
): Promise<AttemptResult> {
  const now = deps.now?.() ?? new Date();
  const claimed = await claim(db, deliveryId, now);
  if (!claimed) return { kind: "skipped" };
  const { delivery, event, endpoint } = claimed;
  const body = JSON.stringify(event.payload);
  const secrets = signingSecrets(endpoint, now).map((stored) => readSecret(stored, endpointSecretOwner(endpoint.id)));
  const opened = secrets.flatMap((secret) => (secret.ok ? [secret.value] : []));
  let headers: Record<string, string> = {};
  let outcome: PostOutcome;
  if (opened.length === secrets.length) {
    headers = webhookHeaders(opened, event.messageId, now, body);
    outcome = await postOutside(endpoint.url, headers, body, {
      policy: deps.policy,
      resolver: deps.resolver,
      timeoutMs: deps.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    });
  } else {
    // Sealed under another APP_ENCRYPTION_KEY (or none is set): nothing unsigned ever leaves; the attempt fails.
    outcome = { status: null, excerpt: null, error: "SECRET_UNREADABLE", durationMs: 0 };
  }
  const next = outcome.error ? nextAttemptAt(delivery.firstAttemptAt!, delivery.attempts, now, deps.random) : null;
  const result: AttemptResult = !outcome.error
    ? { kind: "delivered" }
    : next
      ? { kind: "retry", at: next }
      : { kind: "failed" };
  await record(db, { delivery, endpoint, url: endpoint.url, headers, body, outcome, now, result });
  if (outcome.error) {
    log.warn(
      { deliveryId, endpointId: endpoint.id, attempt: delivery.attempts, error: outcome.error, status: outcome.status },
      "webhook delivery attempt failed",
    );
  }
  return result;
}

async function record(
  db: Database,
  r: {
    delivery: typeof webhookDeliveries.$inferSelect;
    endpoint: typeof webhookEndpoints.$inferSelect;
    url: string;
    headers: Record<string, string>;
    body: string;
    outcome: PostOutcome;
    now: Date;
    result: AttemptResult;
  },
): Promise<void> {
  const { delivery, endpoint, outcome, now, result } = r;
  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      attempt: delivery.attempts,
      at: now,
      url: r.url,
      requestHeaders: r.headers,
      requestBody: r.body,
      responseStatus: outcome.status,
      responseExcerpt: outcome.excerpt,
      error: outcome.error,
      durationMs: outcome.durationMs,
    });
    await tx
      .update(webhookDeliveries)
      .set(
        result.kind === "delivered"
          ? { status: "delivered", deliveredAt: now, leasedUntil: null }
          : result.kind === "retry"
            ? { nextAttemptAt: result.at, leasedUntil: null }
            : { status: "failed", leasedUntil: null },
      )
      .where(eq(webhookDeliveries.id, delivery.id));
    if (result.kind === "delivered") {
      await tx
        .update(webhookEndpoints)
        .set({ status: "enabled", failingSince: null, updatedAt: now })
        .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, "failing")));
    } else if (result.kind === "failed") {
      const [failing] = await tx
        .update(webhookEndpoints)
        .set({ status: "failing", failingSince: now, updatedAt: now })
        .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, "enabled")))
        .returning();
      if (failing) {
        await raiseAlert(tx, {
          kind: "endpoint_failing",
          merchantId: endpoint.merchantId,
          subject: `${endpoint.id}@${now.toISOString()}`,
          detail: { endpointId: endpoint.id, url: endpoint.url, lastError: outcome.error, attempts: delivery.attempts },
          at: now,
        });
      }
    }
  });
}

/** Every delivery that may go now, one attempt each (the workers' job, and the tests' with a clock of their own). */
export async function deliverDue(db: Database, deps: DeliveryDependencies): Promise<AttemptResult[]> {
  const ids = await dueDeliveries(db, deps.now?.() ?? new Date());
  const results: AttemptResult[] = [];
  for (const id of ids) results.push(await attemptDelivery(db, id, deps));
  return results;
}
