import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import PgBoss from "pg-boss";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/audit/append";
import { createDatabase } from "../../lib/db/client";
import { refunds, webhookDeliveries, webhookEvents } from "../../lib/db/schema";
import { startWebhookWorkers } from "../../lib/jobs/webhook-jobs";
import { createEndpoint } from "../../lib/webhooks/endpoints";
import { systemResolver } from "../../lib/webhooks/ssrf";
import { createTestDb, type TestDatabase } from "../db";
import { createPaidOrder } from "../fixtures/orders";
import { WebhookReceiver } from "../fixtures/webhook-receiver";

/**
 * The outbox row is written in the refund's own transaction. A process that commits a refund and dies at once has
 * queued nothing and told nobody; the event must still reach the shop — once, with one webhook-id, even with two
 * instances' workers racing for it.
 */
describe("a process killed right after a refund's commit", () => {
  let t: TestDatabase;
  const bosses: PgBoss[] = [];
  const stops: (() => Promise<void>)[] = [];
  const listeners: ReturnType<typeof createDatabase>["sql"][] = [];
  const shop = new WebhookReceiver();
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    for (const listener of listeners) await listener.end();
    for (const boss of bosses) await boss.stop({ graceful: false, wait: true });
    await shop.stop();
    await t.drop();
  });

  it("still delivers refund.created, exactly once per webhook-id", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 5_000 });
    const url = await shop.start();
    const endpoint = await createEndpoint(
      t.db,
      order.merchantId,
      { url, events: ["refund.created"] },
      { actor: SYSTEM_ACTOR, policy: { allowPrivate: true } },
    );
    if (!endpoint.ok) throw new Error(endpoint.error.code);

    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "tests/reliability/request-then-die.ts", t.url, String(order.id), order.merchantId],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.signal).toBe("SIGKILL");
    const { id } = JSON.parse(child.stdout.trim()) as { id: number };
    const [refund] = await t.db.select().from(refunds).where(eq(refunds.id, id));
    // Committed with its event in the outbox, nothing sent yet.
    const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.refundId, id));
    expect(event).toMatchObject({ type: "refund.created" });
    expect(shop.received).toHaveLength(0);

    // Two instances start, as after a deploy; each looks at the outbox when its workers start.
    for (let i = 0; i < 2; i++) {
      const boss = new PgBoss({ connectionString: t.url, schema: "pgboss", max: 3, supervise: false, schedule: false });
      await boss.start();
      bosses.push(boss);
      const listener = createDatabase(t.url, { max: 1 }).sql;
      listeners.push(listener);
      stops.push(
        await startWebhookWorkers(boss, {
          db: t.db,
          listener,
          delivery: { policy: { allowPrivate: true }, resolver: systemResolver },
          historyRetentionDays: 30,
          pollingIntervalSeconds: 0.5,
        }),
      );
    }

    const deadline = Date.now() + 20_000;
    while (!shop.received.length) {
      if (Date.now() > deadline) throw new Error("the event was not delivered");
      await new Promise((r) => setTimeout(r, 100));
    }
    // Time for a second copy to arrive, if anything were going to send one.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(shop.received).toHaveLength(1);
    const [received] = shop.received;
    expect(received!.headers["webhook-id"]).toBe(event!.messageId);
    const payload = new Webhook(endpoint.value.secret).verify(
      received!.body,
      received!.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({ type: "refund.created", data: { refund: { out_refund_no: refund!.outRefundNo } } });
    const [delivery] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event!.id));
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1 });

    // A later refund reaches the shop through NOTIFY, without waiting for the minute sweep.
    const second = await createPaidOrder(t.db, { totalFen: 5_000 });
    const { requestRefund } = await import("../../lib/refunds/request");
    await requestRefund(
      t.db,
      { merchantId: second.merchantId, orderId: second.id, amountFen: 100, reason: "live" },
      { actor: SYSTEM_ACTOR, userId: null, orderIntervalMs: 0 },
    );
    const quick = Date.now() + 10_000;
    while (shop.received.length < 2) {
      if (Date.now() > quick) throw new Error("the second event was not delivered promptly");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
