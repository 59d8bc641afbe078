import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { defaultMerchantId } from "../../tests/fixtures/orders";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { purgeWebhookHistory } from "./retention";

const DAY = 86_400_000;

describe("purgeWebhookHistory", () => {
  let t: TestDatabase;
  const now = new Date("2026-12-04T02:00:00Z");
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  /** One event with one delivery in `status`, made `age` days ago, with one logged attempt. */
  async function history(
    endpointId: string,
    merchantId: string,
    status: "pending" | "delivered" | "failed",
    age: number,
  ) {
    const at = daysAgo(age);
    const [event] = await t.db
      .insert(webhookEvents)
      .values({
        messageId: `msg_${status}_${age}_${Math.random()}`,
        merchantId,
        type: "refund.succeeded",
        payload: {},
        createdAt: at,
      })
      .returning();
    const [delivery] = await t.db
      .insert(webhookDeliveries)
      .values({ eventId: event!.id, endpointId, status, attempts: 1, createdAt: at })
      .returning();
    await t.db.insert(webhookAttempts).values({
      deliveryId: delivery!.id,
      endpointId,
      attempt: 1,
      at,
      url: "https://shop.example/hooks",
      requestHeaders: {},
      requestBody: "{}",
      responseStatus: 500,
      durationMs: 12,
    });
    return { event: event!, delivery: delivery! };
  }

  it("deletes finished deliveries past the retention with their attempts and events, and keeps the rest", async () => {
    const merchantId = await defaultMerchantId(t.db);
    const [endpoint] = await t.db
      .insert(webhookEndpoints)
      .values({ merchantId, url: "https://shop.example/hooks", events: ["refund.succeeded"], secret: "whsec_test" })
      .returning();
    const oldDelivered = await history(endpoint!.id, merchantId, "delivered", 31);
    const oldFailed = await history(endpoint!.id, merchantId, "failed", 45);
    const oldPending = await history(endpoint!.id, merchantId, "pending", 40);
    const recent = await history(endpoint!.id, merchantId, "delivered", 29);

    expect(await purgeWebhookHistory(t.db, 30, now)).toEqual({ deliveries: 2, events: 2 });

    const deliveryIds = (await t.db.select().from(webhookDeliveries)).map((d) => d.id).sort();
    expect(deliveryIds).toEqual([oldPending.delivery.id, recent.delivery.id].sort());
    const eventIds = (await t.db.select().from(webhookEvents)).map((e) => e.id).sort();
    expect(eventIds).toEqual([oldPending.event.id, recent.event.id].sort());
    for (const gone of [oldDelivered, oldFailed]) {
      expect(await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, gone.delivery.id))).toEqual(
        [],
      );
    }
    expect(await t.db.select().from(webhookAttempts)).toHaveLength(2);
    // Nothing more to do the next time round.
    expect(await purgeWebhookHistory(t.db, 30, now)).toEqual({ deliveries: 0, events: 0 });
  });
});
