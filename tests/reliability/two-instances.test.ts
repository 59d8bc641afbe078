import { eq, inArray } from "drizzle-orm";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/audit/append";
import { notifications, refundEvents, refunds, type Refund } from "../../lib/db/schema";
import { enqueueSubmission } from "../../lib/jobs/refund-jobs";
import { requestRefund } from "../../lib/refunds/request";
import { createWorld, type World } from "../chaos/world";
import { until } from "../fixtures/until";

const REFUNDS = 24;

/**
 * #5/#6: two processes of the console on one database, the simulator's notifications switched off. Each refund is
 * sent to WeChat once, by one of them, and every refund still becomes final, through reconciliation alone.
 * (lib/jobs/refund-jobs.test.ts shows the same with two queue clients in one process and a scripted gateway.)
 */
describe("two instances, no notifications", () => {
  let world: World;
  let producer: PgBoss;

  beforeAll(async () => {
    // WeChat settles well before the first reconciliation query (3 s after acceptance), even on a busy machine.
    world = await createWorld({ settleMs: 300 });
    await world.control.notifySettings({ enabled: false });
  });
  afterAll(async () => {
    await producer?.stop({ graceful: false, wait: true });
    await world.close();
  });

  it("submits every refund exactly once across both and reconciles each to SUCCESS", async () => {
    const [a, b] = [await world.app(), await world.app()];
    await Promise.all([a.start(), b.start()]);
    producer = new PgBoss({
      connectionString: world.t.url,
      schema: "pgboss",
      max: 2,
      supervise: false,
      schedule: false,
    });
    await producer.start();

    const orders = await world.paidOrders(REFUNDS, () => 3_000);
    const created: Refund[] = [];
    for (const order of orders) {
      const requested = await requestRefund(
        world.t.db,
        { merchantId: order.merchantId, orderId: order.id, amountFen: 1_000, reason: "two instances" },
        { actor: SYSTEM_ACTOR, userId: null, orderIntervalMs: 0 },
      );
      if (!requested.ok) throw new Error(requested.error.code);
      created.push(requested.value);
      // Asked twice, as when an operator's "Retry now" races the queued submission.
      await enqueueSubmission(producer, requested.value);
      await enqueueSubmission(producer, requested.value, { immediate: true });
    }
    const ids = created.map((r) => r.id);
    await until(
      async () =>
        (await world.t.db.select().from(refunds).where(inArray(refunds.id, ids))).every((r) => r.status === "SUCCESS"),
      { timeoutMs: 60_000, what: "every refund SUCCESS" },
    );

    const applies = (await world.control.requests("/v3/refund/domestic/refunds")).filter((r) => r.method === "POST");
    for (const r of created)
      expect(
        applies.filter((x) => x.body.includes(r.outRefundNo)),
        r.outRefundNo,
      ).toHaveLength(1);
    expect(await world.control.refunds()).toHaveLength(REFUNDS);
    for (const row of await world.t.db.select().from(refunds).where(inArray(refunds.id, ids)))
      expect(row.attemptCount).toBe(1);
    // Nothing came by callback: the reconciler's queries made every refund final.
    expect(await world.t.db.select().from(notifications)).toEqual([]);
    for (const r of created) {
      const succeeded = await world.t.db.select().from(refundEvents).where(eq(refundEvents.refundId, r.id));
      expect(succeeded.filter((e) => e.type === "succeeded").map((e) => e.source)).toEqual(["reconciler"]);
    }
  }, 90_000);
});
