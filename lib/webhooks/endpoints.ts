import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { webhookDeliveries, webhookEndpoints, type WebhookEndpoint } from "../db/schema";
import { msg, type Message } from "../message";
import { isoBeijing } from "../merchant-api/format";
import { err, ok, type Result } from "../result";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from "./events";
import { OUTBOX_CHANNEL, writeOutboxEvent } from "./outbox";
import { endpointSecretOwner, storeSecret } from "./secret-box";
import { newSigningSecret, ROTATION_OVERLAP_MS } from "./sign";
import { checkEndpointUrl, type UrlPolicy, type UrlRefusal } from "./ssrf";

/** A merchant's endpoints are few; more is a mistake (or abuse) that would multiply every event. */
export const MAX_ENDPOINTS_PER_MERCHANT = 20;

const URL_MESSAGES: Record<UrlRefusal, Message> = {
  INVALID_URL: msg("outcomes.webhooks.endpoints.INVALID_URL"),
  SCHEME: msg("outcomes.webhooks.endpoints.SCHEME"),
  CREDENTIALS: msg("outcomes.webhooks.endpoints.CREDENTIALS"),
  PRIVATE_ADDRESS: msg("outcomes.webhooks.endpoints.PRIVATE_ADDRESS"),
  UNRESOLVABLE: msg("outcomes.webhooks.endpoints.UNRESOLVABLE"),
};

/** The fields a person or a shop's back end sets; the same rules on the admin page and in the API. */
export const endpointFieldsSchema = z.object({
  url: z.string().trim().min(1).max(2048),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
  description: z.string().trim().max(200).optional(),
});
export type EndpointFields = z.infer<typeof endpointFieldsSchema>;

export type EndpointError =
  | { code: "INVALID_URL"; message: Message }
  | { code: "ENDPOINT_NOT_FOUND"; message: Message }
  | { code: "DELIVERY_NOT_FOUND"; message: Message }
  | { code: "DELIVERY_IN_FLIGHT"; message: Message }
  | { code: "TOO_MANY_ENDPOINTS"; message: Message };

export const ENDPOINT_NOT_FOUND: EndpointError = {
  code: "ENDPOINT_NOT_FOUND",
  message: msg("outcomes.webhooks.endpoints.ENDPOINT_NOT_FOUND"),
};
const DELIVERY_NOT_FOUND: EndpointError = {
  code: "DELIVERY_NOT_FOUND",
  message: msg("outcomes.webhooks.endpoints.DELIVERY_NOT_FOUND"),
};
const DELIVERY_IN_FLIGHT: EndpointError = {
  code: "DELIVERY_IN_FLIGHT",
  message: msg("outcomes.webhooks.endpoints.DELIVERY_IN_FLIGHT"),
};

function checkUrl(url: string, policy: UrlPolicy): Result<string, EndpointError> {
  const checked = checkEndpointUrl(url, policy);
  return checked.ok ? ok(checked.url.toString()) : err({ code: "INVALID_URL", message: URL_MESSAGES[checked.error] });
}

export interface Actor {
  actor: AuditActor;
  policy: UrlPolicy;
}

/** An endpoint without its secrets: what lists and pages show. */
export type EndpointSummary = Omit<WebhookEndpoint, "secret" | "previousSecret">;
const summary = ({ secret: _s, previousSecret: _p, ...rest }: WebhookEndpoint): EndpointSummary => rest;

export async function listEndpoints(db: Db, merchantId: string | null): Promise<EndpointSummary[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(merchantId ? eq(webhookEndpoints.merchantId, merchantId) : undefined)
    .orderBy(webhookEndpoints.createdAt);
  return rows.map(summary);
}

/** One endpoint of this merchant (null: any merchant, for an unscoped API key), or not found. */
export async function findEndpoint(db: Db, merchantId: string | null, id: string): Promise<EndpointSummary | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), merchantId ? eq(webhookEndpoints.merchantId, merchantId) : undefined));
  return row ? summary(row) : null;
}

/** A new endpoint; its secret is returned here, once. */
export async function createEndpoint(
  db: Database,
  merchantId: string,
  fields: EndpointFields,
  who: Actor,
): Promise<Result<{ endpoint: EndpointSummary; secret: string }, EndpointError>> {
  const url = checkUrl(fields.url, who.policy);
  if (!url.ok) return url;
  const secret = newSigningSecret();
  return db.transaction(async (tx) => {
    // Serialises creations per merchant, so the cap holds under concurrent requests.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('webhook_endpoints:' || ${merchantId}))`);
    const [{ count }] = (await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.merchantId, merchantId))) as [{ count: number }];
    if (count >= MAX_ENDPOINTS_PER_MERCHANT) {
      return err({
        code: "TOO_MANY_ENDPOINTS" as const,
        message: msg("outcomes.webhooks.endpoints.TOO_MANY_ENDPOINTS", { max: MAX_ENDPOINTS_PER_MERCHANT }),
      });
    }
    // The id is made here so the sealed secret can be bound to its row.
    const id = randomUUID();
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id,
        merchantId,
        url: url.value,
        events: fields.events,
        description: fields.description ?? "",
        secret: storeSecret(secret, endpointSecretOwner(id)),
      })
      .returning();
    await appendAudit(
      tx,
      who.actor,
      "webhook_endpoint.created",
      { type: "webhook_endpoint", id: row!.id, merchantId },
      { url: row!.url, events: row!.events },
    );
    return ok({ endpoint: summary(row!), secret });
  });
}

export interface EndpointChanges extends Partial<EndpointFields> {
  status?: "enabled" | "disabled";
}

/** Change an endpoint's URL, events, description, or turn it off and on. */
export async function updateEndpoint(
  db: Database,
  merchantId: string | null,
  id: string,
  changes: EndpointChanges,
  who: Actor,
): Promise<Result<EndpointSummary, EndpointError>> {
  const existing = await findEndpoint(db, merchantId, id);
  if (!existing) return err(ENDPOINT_NOT_FOUND);
  let url = existing.url;
  if (changes.url !== undefined) {
    const checked = checkUrl(changes.url, who.policy);
    if (!checked.ok) return checked;
    url = checked.value;
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        url,
        ...(changes.events ? { events: changes.events } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        // Enabling a failing endpoint is a person saying it works again; the next delivery will tell.
        ...(changes.status ? { status: changes.status, failingSince: null } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, existing.merchantId)))
      .returning();
    await appendAudit(
      tx,
      who.actor,
      "webhook_endpoint.updated",
      { type: "webhook_endpoint", id, merchantId: existing.merchantId },
      { before: { url: existing.url, events: existing.events, status: existing.status }, after: changes },
    );
    return ok(summary(row!));
  });
}

/** Delete an endpoint with its deliveries and log; the events stay (other endpoints may have them). */
export async function deleteEndpoint(
  db: Database,
  merchantId: string | null,
  id: string,
  who: Actor,
): Promise<Result<null, EndpointError>> {
  const existing = await findEndpoint(db, merchantId, id);
  if (!existing) return err(ENDPOINT_NOT_FOUND);
  await db.transaction(async (tx) => {
    await tx
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, existing.merchantId)));
    await appendAudit(
      tx,
      who.actor,
      "webhook_endpoint.deleted",
      { type: "webhook_endpoint", id, merchantId: existing.merchantId },
      { url: existing.url },
    );
  });
  return ok(null);
}

/** A new secret, returned once; the old one keeps signing beside it for 24 hours. */
export async function rotateSecret(
  db: Database,
  merchantId: string | null,
  id: string,
  who: Actor,
  now = new Date(),
): Promise<Result<{ secret: string; previousSecretExpiresAt: Date }, EndpointError>> {
  const secret = newSigningSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secret: storeSecret(secret, endpointSecretOwner(id)),
        previousSecret: sql`${webhookEndpoints.secret}`,
        previousSecretExpiresAt,
        updatedAt: now,
      })
      .where(and(eq(webhookEndpoints.id, id), merchantId ? eq(webhookEndpoints.merchantId, merchantId) : undefined))
      .returning({ merchantId: webhookEndpoints.merchantId });
    if (!row) return err(ENDPOINT_NOT_FOUND);
    await appendAudit(
      tx,
      who.actor,
      "webhook_endpoint.secret_rotated",
      { type: "webhook_endpoint", id, merchantId: row.merchantId },
      { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() },
    );
    return ok({ secret, previousSecretExpiresAt });
  });
}

/** A `webhook.test` event to this endpoint only, through the same outbox and delivery as real ones. */
export async function sendTestEvent(
  db: Database,
  merchantId: string | null,
  id: string,
  who: Actor,
  now = new Date(),
): Promise<Result<{ messageId: string }, EndpointError>> {
  const existing = await findEndpoint(db, merchantId, id);
  if (!existing) return err(ENDPOINT_NOT_FOUND);
  return db.transaction(async (tx) => {
    const messageId = await writeOutboxEvent(tx, {
      merchantId: existing.merchantId,
      type: TEST_EVENT_TYPE,
      endpointId: id,
      data: { message: "Test event from the refund console / 退款控制台的测试事件", sent_at: isoBeijing(now) },
      at: now,
    });
    await appendAudit(tx, who.actor, "webhook_endpoint.test_sent", {
      type: "webhook_endpoint",
      id,
      merchantId: existing.merchantId,
    });
    return ok({ messageId: messageId! });
  });
}

/**
 * Send a delivery again, now, with the same `webhook-id` (receivers that saw it already drop it). Not while a worker
 * holds it for an attempt: clearing its lease would let a second worker send it at the same time, and the first
 * attempt's outcome would then overwrite the resend's.
 */
export async function resendDelivery(
  db: Database,
  merchantId: string | null,
  deliveryId: number,
  who: Actor,
  now = new Date(),
): Promise<Result<null, EndpointError>> {
  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ endpointId: webhookDeliveries.endpointId, leasedUntil: webhookDeliveries.leasedUntil })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          sql`${webhookDeliveries.endpointId} in (select id from webhook_endpoints where ${
            merchantId ? sql`merchant_id = ${merchantId}` : sql`true`
          })`,
        ),
      )
      .for("update");
    if (!found) return err(DELIVERY_NOT_FOUND);
    if (found.leasedUntil && found.leasedUntil > now) return err(DELIVERY_IN_FLIGHT);
    await tx
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: now, firstAttemptAt: null, leasedUntil: null })
      .where(eq(webhookDeliveries.id, deliveryId));
    await appendAudit(
      tx,
      who.actor,
      "webhook_delivery.resent",
      { type: "webhook_delivery", id: deliveryId, merchantId },
      {
        endpointId: found.endpointId,
      },
    );
    await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
    return ok(null);
  });
}
