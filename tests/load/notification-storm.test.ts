import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refundEvents, type Refund } from "../../lib/db/schema";
import { createTestDb, type TestDatabase } from "../db";
import { MERCHANT_ENV, processingRefund, refundResource, v3Callback } from "../fixtures/notifications";
import { createUser } from "../fixtures/orders";
import { AppProcess, freePort } from "../chaos/world";

const NOTIFICATIONS = 100;
const COPIES = 50;
const BATCH = 10;
const BATCH_EVERY_MS = 20;

/**
 * A notification storm on loopback: 5,000 deliveries (50 copies of each of 100 notifications, shuffled) sent within
 * 10 s, without waiting for answers, to the callback route served by a process of its own. Every one is answered
 * without a 5xx, and each notification moves its refund exactly once.
 */
describe("notification storm", () => {
  let t: TestDatabase;
  let app: AppProcess;
  const refunds: Refund[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    const context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    for (let i = 0; i < NOTIFICATIONS; i++) refunds.push(await processingRefund(t.db, context, { amountFen: 100 + i }));
    app = new AppProcess(await freePort(), {
      ...MERCHANT_ENV,
      DATABASE_URL: t.url,
      APP_JOBS: "off",
      LOG_LEVEL: "warn",
      APP_DB_POOL: "10",
    });
    await app.start();
  });
  afterAll(async () => {
    await app.kill();
    await t.drop();
  });

  it(`answers ${NOTIFICATIONS * COPIES} deliveries sent within 10 s without a 5xx and applies each notification once`, async () => {
    const callbacks = refunds.map((r) =>
      v3Callback(refundResource(r, "SUCCESS"), "REFUND.SUCCESS", { id: randomUUID() }),
    );
    const deliveries = callbacks
      .flatMap((c) => Array.from({ length: COPIES }, () => c))
      .sort(() => Math.random() - 0.5);
    const statuses: Record<number, number> = {};
    let slowest = 0;
    const deliver = async (callback: (typeof deliveries)[number]) => {
      const sent = Date.now();
      const response = await fetch(app.url, { method: "POST", headers: callback.headers, body: callback.body });
      await response.arrayBuffer();
      slowest = Math.max(slowest, Date.now() - sent);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    };
    // Open loop, as WeChat's senders would: a batch every 20 ms whatever the console's answers, 5,000 in 10 s.
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < deliveries.length; i += BATCH) {
      const due = started + (i / BATCH) * BATCH_EVERY_MS;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      inFlight.push(...deliveries.slice(i, i + BATCH).map(deliver));
    }
    const sendSeconds = (Date.now() - started) / 1000;
    await Promise.all(inFlight);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `notification storm: ${deliveries.length} deliveries sent in ${sendSeconds.toFixed(1)} s, all answered after ${seconds.toFixed(1)} s (slowest ${slowest} ms): ${JSON.stringify(statuses)}`,
    );

    expect(sendSeconds).toBeLessThan(10.5);
    expect(statuses).toEqual({ 204: NOTIFICATIONS * COPIES });
    const [counts] = await t.db.execute<{ applied: number; duplicate: number; stale: number }>(sql`
      select count(*) filter (where outcome = 'applied')::int as applied, count(*) filter (where outcome = 'duplicate')::int as duplicate,
        count(*) filter (where outcome = 'stale')::int as stale from notifications`);
    expect(counts).toEqual({ applied: NOTIFICATIONS, duplicate: NOTIFICATIONS * (COPIES - 1), stale: 0 });
    for (const r of refunds) {
      const events = await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, r.id));
      expect(events.filter((e) => e.type === "succeeded")).toHaveLength(1);
    }
  }, 120_000);
});
