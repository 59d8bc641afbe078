import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/client";
import { alertItems, merchants, webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { deliverDue, type DeliveryDependencies } from "@/lib/webhooks/deliver";
import { resendDelivery, sendTestEvent } from "@/lib/webhooks/endpoints";
import { RETRY_WINDOW_MS } from "@/lib/webhooks/retry";
import { systemResolver } from "@/lib/webhooks/ssrf";
import { SYSTEM_ACTOR } from "@/lib/audit/append";
import type { RequestContext } from "@/lib/refunds/request";
import type { TestDatabase } from "@/tests/db";
import { apiRequest, createTestKey, params } from "@/tests/fixtures/merchant-api";
import { processingRefund, refundResource, v3Callback } from "@/tests/fixtures/notifications";
import { callbackTestbed, sendRefundCallback } from "@/tests/fixtures/refund-callbacks";
import { WebhookReceiver } from "@/tests/fixtures/webhook-receiver";

const holder = vi.hoisted(() => ({ db: undefined as Database | undefined }));
vi.mock("@/lib/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/client")>()),
  getDb: () => holder.db!,
}));

const collection = await import("@/app/api/v1/webhook-endpoints/route");
const single = await import("@/app/api/v1/webhook-endpoints/[id]/route");
const rotate = await import("@/app/api/v1/webhook-endpoints/[id]/rotate-secret/route");

/**
 * The whole path a shop relies on: an endpoint registered through the merchant API, a refund, WeChat's genuine
 * (signed, encrypted) callback, and the signed `refund.succeeded` at the shop, verified with the Standard Webhooks
 * library a shop would use. Then a receiver that keeps failing: retried on the back-off schedule for three days.
 */
describe("webhooks end to end", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let key: string;
  let merchantId: string;
  const shop = new WebhookReceiver();
  let shopUrl: string;

  beforeAll(async () => {
    vi.stubEnv("WEBHOOKS_ALLOW_PRIVATE", "true");
    // Secrets are sealed at rest when the console has its master key, as `npm start` gives it one.
    vi.stubEnv("APP_ENCRYPTION_KEY", randomBytes(32).toString("base64"));
    ({ t, context } = await callbackTestbed("v3"));
    holder.db = t.db;
    merchantId = (await t.db.select().from(merchants))[0]!.id;
    key = await createTestKey(t.db, merchantId);
    shopUrl = await shop.start();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await shop.stop();
    await t.drop();
  });

  const deps = (now?: () => Date): DeliveryDependencies => ({
    policy: { allowPrivate: true },
    resolver: systemResolver,
    random: () => 0.5,
    ...(now ? { now } : {}),
  });
  /** What the workers do, until nothing more is due: each round may free the next event about a refund. */
  const deliverAll = async (d = deps()) => {
    for (let round = 0; round < 10 && (await deliverDue(t.db, d)).length; round++);
  };
  const register = async (body: unknown) => {
    const response = await collection.POST(apiRequest("POST", "/api/v1/webhook-endpoints", { key, body }));
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { id: string; secret: string },
    };
  };
  const patch = (id: string, body: unknown) =>
    single.PATCH(
      new Request(`http://localhost:3000/api/v1/webhook-endpoints/${id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      params({ id }),
    );

  it("delivers refund.created then refund.succeeded, signed so the standardwebhooks verifier accepts it", async () => {
    const created = await register({
      url: shopUrl,
      events: ["refund.created", "refund.succeeded"],
      description: "shop",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: shopUrl,
      events: ["refund.created", "refund.succeeded"],
      status: "enabled",
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await (await collection.GET(apiRequest("GET", "/api/v1/webhook-endpoints", { key }))).json();
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).not.toHaveProperty("secret");
    const [stored] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.body.id));
    expect(stored!.secret.startsWith("sealed:")).toBe(true);
    expect(stored!.secret).not.toContain(created.body.secret.slice(6));

    const refund = await processingRefund(t.db, context);
    const answer = await sendRefundCallback(t.db, v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(204);
    await deliverAll();

    expect(shop.received).toHaveLength(2);
    const verifier = new Webhook(created.body.secret);
    const [first, second] = shop.received.map((r) => ({
      ...r,
      payload: verifier.verify(r.body, r.headers as Record<string, string>) as {
        id: string;
        type: string;
        api_version: string;
        data: { refund: Record<string, unknown> };
      },
    }));
    expect(first!.payload.type).toBe("refund.created");
    expect(second!.payload).toMatchObject({
      type: "refund.succeeded",
      api_version: "2026-12-01",
      data: {
        refund: {
          out_refund_no: refund.outRefundNo,
          amount: refund.amountFen,
          status: "SUCCESS",
          finished_at: "2024-05-01T10:00:00.000+08:00",
        },
      },
    });
    expect(second!.headers["webhook-id"]).toBe(second!.payload.id);
    expect(second!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // A tampered body is refused by the same verifier.
    expect(() =>
      verifier.verify(second!.body.replace("SUCCESS", "CLOSED"), second!.headers as Record<string, string>),
    ).toThrow();

    // The delivery log keeps each attempt: what was sent, what came back.
    const [delivery] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, created.body.id))
      .orderBy(webhookDeliveries.id);
    const log = await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.endpointId, created.body.id));
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ attempt: 1, responseStatus: 204, error: null });
    expect(delivery!.status).toBe("delivered");
  });

  it("rotates the secret: for 24 hours both the old and the new one verify each delivery", async () => {
    const { body } = await register({ url: shopUrl, events: ["refund.closed"] });
    const response = await rotate.POST(
      apiRequest("POST", `/api/v1/webhook-endpoints/${body.id}/rotate-secret`, { key }),
      params({ id: body.id }),
    );
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { secret: string; previous_secret_expires_at: string };
    expect(rotated.secret).not.toBe(body.secret);
    shop.received.length = 0;
    await sendTestEvent(t.db, merchantId, body.id, { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } });
    await deliverAll();
    expect(shop.received).toHaveLength(1);
    const [only] = shop.received;
    expect((only!.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    for (const secret of [body.secret, rotated.secret]) {
      expect(new Webhook(secret).verify(only!.body, only!.headers as Record<string, string>)).toMatchObject({
        type: "webhook.test",
      });
    }
    // A day later only the new secret signs.
    shop.received.length = 0;
    const later = new Date(Date.now() + 24 * 3_600_000 + 60_000);
    await sendTestEvent(t.db, merchantId, body.id, { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } }, later);
    await deliverAll(deps(() => later));
    expect((shop.received[0]!.headers["webhook-signature"] as string).split(" ")).toHaveLength(1);
    expect(await (await single.DELETE(apiRequest("GET", "/", { key }), params({ id: body.id }))).json()).toEqual({
      id: body.id,
      deleted: true,
    });
  });

  it("sends nothing unsigned: a secret sealed under another master key fails the attempt without a request", async () => {
    const { body } = await register({ url: shopUrl, events: ["refund.closed"] });
    const before = shop.received.length;
    vi.stubEnv("APP_ENCRYPTION_KEY", randomBytes(32).toString("base64"));
    await sendTestEvent(t.db, merchantId, body.id, { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } });
    expect(await deliverDue(t.db, deps())).toEqual([{ kind: "retry", at: expect.any(Date) }]);
    expect(shop.received.length).toBe(before);
    const log = await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.endpointId, body.id));
    expect(log).toMatchObject([{ error: "SECRET_UNREADABLE", responseStatus: null }]);
    await single.DELETE(apiRequest("GET", "/", { key }), params({ id: body.id }));
  });

  it("retries a failing receiver on the back-off schedule for three days, then marks the endpoint failing and alerts", async () => {
    // Only the failing endpoint takes part from here.
    for (const e of await t.db.select().from(webhookEndpoints)) {
      expect((await patch(e.id, { status: "disabled" })).status).toBe(200);
    }
    const failing = new WebhookReceiver();
    failing.status = 503;
    const failingUrl = await failing.start();
    try {
      const { body } = await register({ url: failingUrl, events: ["refund.created"] });
      const start = new Date();
      await processingRefund(t.db, context);
      let now = start;
      const clock = () => now;
      const [delivery] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, body.id));

      const attemptTimes: number[] = [];
      for (let round = 0; round < 40; round++) {
        const results = await deliverDue(t.db, deps(clock));
        // Nothing goes out between two due times: a round one second before the next is due sends nothing.
        expect(results.every((r) => r.kind !== "skipped")).toBe(true);
        if (results.length) attemptTimes.push(now.getTime());
        const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
        if (row!.status !== "pending") break;
        const early = new Date(row!.nextAttemptAt.getTime() - 1000);
        expect(
          await deliverDue(
            t.db,
            deps(() => early),
          ),
        ).toEqual([]);
        now = row!.nextAttemptAt;
      }

      const gaps = attemptTimes.slice(1).map((at, i) => (at - attemptTimes[i]!) / 1000);
      // With the jitter at its middle: 30 s doubling, capped at 6 hours.
      expect(gaps.slice(0, 11)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]);
      expect(gaps.slice(11).every((g) => g === 21600)).toBe(true);
      const span = attemptTimes.at(-1)! - attemptTimes[0]!;
      expect(span).toBeLessThanOrEqual(RETRY_WINDOW_MS);
      expect(span).toBeGreaterThan(RETRY_WINDOW_MS - 21600_000);
      expect(failing.received).toHaveLength(attemptTimes.length);
      // Every attempt carried the same webhook-id.
      expect(new Set(failing.received.map((r) => r.headers["webhook-id"])).size).toBe(1);

      const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
      expect(row).toMatchObject({ status: "failed", attempts: attemptTimes.length });
      const [endpoint] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, body.id));
      expect(endpoint!.status).toBe("failing");
      const alerts = await t.db.select().from(alertItems).where(eq(alertItems.kind, "endpoint_failing"));
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ merchantId, detail: { endpointId: body.id, lastError: "HTTP_503" } });
      const log = await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery!.id));
      expect(log.map((l) => l.responseStatus)).toEqual(attemptTimes.map(() => 503));
      expect(log[0]!.responseExcerpt).toBe("receiver says no");

      // The shop fixes its server; a resend delivers and clears the failing mark.
      failing.status = 200;
      const later = new Date(now.getTime() + 60_000);
      await resendDelivery(
        t.db,
        merchantId,
        delivery!.id,
        { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } },
        later,
      );
      expect(
        await deliverDue(
          t.db,
          deps(() => later),
        ),
      ).toEqual([{ kind: "delivered" }]);
      const [recovered] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, body.id));
      expect(recovered!.status).toBe("enabled");
    } finally {
      await failing.stop();
    }
  });

  it("refuses to resend a delivery while an attempt holds it, so it never goes out twice at once; then resends it", async () => {
    const slow = new WebhookReceiver();
    let answer!: () => void;
    slow.holdUntil = new Promise((resolve) => (answer = resolve));
    const url = await slow.start();
    const who = { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } };
    try {
      const created = await register({ url, events: ["refund.created"] });
      await sendTestEvent(t.db, merchantId, created.body.id, who);
      const [delivery] = await t.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.endpointId, created.body.id));

      const attempt = deliverDue(t.db, deps());
      await vi.waitFor(() => expect(slow.received).toHaveLength(1));
      expect(await resendDelivery(t.db, merchantId, delivery!.id, who)).toMatchObject({
        ok: false,
        error: { code: "DELIVERY_IN_FLIGHT" },
      });
      // Nor does another worker take it meanwhile.
      expect(await deliverDue(t.db, deps())).toEqual([]);
      answer();
      expect(await attempt).toEqual([{ kind: "delivered" }]);

      expect(await resendDelivery(t.db, merchantId, delivery!.id, who)).toMatchObject({ ok: true });
      expect(await deliverDue(t.db, deps())).toEqual([{ kind: "delivered" }]);
      expect(slow.received).toHaveLength(2);
      expect(slow.received[1]!.headers["webhook-id"]).toBe(slow.received[0]!.headers["webhook-id"]);
    } finally {
      await slow.stop();
    }
  });
});
