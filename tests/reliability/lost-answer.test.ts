import { eq, sql } from "drizzle-orm";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refundEvents, refunds, type Refund } from "../../lib/db/schema";
import { enqueueSubmission } from "../../lib/jobs/refund-jobs";
import { requestRefund } from "../../lib/refunds/request";
import { SYSTEM_ACTOR } from "../../lib/audit/append";
import { createWorld, orderRow, type AppProcess, type World } from "../chaos/world";
import { until } from "../fixtures/until";

const APPLY = "/v3/refund/domestic/refunds";

/**
 * #5/#6: an answer WeChat never delivers. The job workers and the callback route run in a child process (the same
 * lib/ services the app runs); the simulator accepts the refund and then holds the answer back.
 */
describe("a lost answer after WeChat accepted", () => {
  let world: World;
  let boss: PgBoss;

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await world.close();
  });

  async function startApp(): Promise<AppProcess> {
    const app = await world.app();
    await app.start();
    if (!boss) {
      boss = new PgBoss({
        connectionString: world.t.url,
        schema: "pgboss",
        max: 2,
        schedule: false,
        maintenanceIntervalSeconds: 1,
      });
      await boss.start();
    }
    return app;
  }

  async function newRefund(amountFen: number): Promise<Refund> {
    const [order] = await world.paidOrders(1, () => 5_000);
    const requested = await requestRefund(
      world.t.db,
      { merchantId: order!.merchantId, orderId: order!.id, amountFen, reason: "lost answer" },
      { actor: SYSTEM_ACTOR, userId: null, orderIntervalMs: 0 },
    );
    if (!requested.ok) throw new Error(requested.error.code);
    return requested.value;
  }

  const row = async (id: number) => (await world.t.db.select().from(refunds).where(eq(refunds.id, id)))[0]!;

  /** What the simulator executed for this number, and how often the console asked it to. */
  async function atGateway(outRefundNo: string) {
    const executed = await world.control.refunds({ outRefundNo });
    const applies = (await world.control.requests(APPLY)).filter(
      (r) => r.method === "POST" && r.body.includes(outRefundNo),
    );
    return { executed, applies };
  }

  it("a timeout after WeChat accepted ends as exactly one refund at the gateway", async () => {
    const app = await startApp();
    await world.control.addFault({ kind: "timeout_after_accept", method: "POST", path: APPLY });
    // WeChat settles it only after the console has given up waiting, so no callback hides the lost answer.
    await world.control.script({ status: "SUCCESS", delayMs: 16_000 });
    const refund = await newRefund(1_234);
    await enqueueSubmission(boss, refund);

    // The client gives up after its 10 s timeout; the refund stays PENDING with its outcome unknown, never FAILED.
    await until(async () => (await row(refund.id)).lastErrorCode === "TIMEOUT", {
      timeoutMs: 20_000,
      what: "the timeout",
    });
    expect(await row(refund.id)).toMatchObject({ status: "PENDING", outcomeUnknown: true });
    await until(async () => (await row(refund.id)).status === "SUCCESS", { timeoutMs: 30_000, what: "SUCCESS" });

    const { executed, applies } = await atGateway(refund.outRefundNo);
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatchObject({ status: "SUCCESS", refundFen: 1_234 });
    // The retry asked first (a query), found the refund, and never sent it again.
    expect(applies.map((a) => a.fault ?? a.status)).toEqual(["timeout_after_accept"]);
    const events = await world.t.db
      .select()
      .from(refundEvents)
      .where(eq(refundEvents.refundId, refund.id))
      .orderBy(refundEvents.id);
    expect(events.map((e) => `${e.type}/${e.source}`)).toEqual([
      "requested/system",
      "submitted/system",
      "outcome_unknown/gateway",
      "accepted/reconciler",
      "succeeded/notify",
    ]);
    expect(await orderRow(world, refund.orderId)).toMatchObject({ refundedFen: 1_234, inFlightFen: 0, refundCount: 1 });
    await app.kill();
  }, 60_000);

  it("killing the app between WeChat accepting and the answer still ends right after a restart", async () => {
    const app = await startApp();
    await world.control.addFault({ kind: "slow", delayMs: 8_000, method: "POST", path: APPLY });
    const refund = await newRefund(2_500);
    await enqueueSubmission(boss, refund);
    // WeChat has executed it; the answer is on its way when the process dies.
    await until(async () => (await world.control.refunds({ outRefundNo: refund.outRefundNo })).length === 1, {
      timeoutMs: 15_000,
      what: "the gateway to accept",
    });
    await app.kill("SIGKILL");
    expect(await row(refund.id)).toMatchObject({ status: "PENDING", outcomeUnknown: true, attemptCount: 1 });

    // Time that would pass in production is skipped by moving timestamps back 20 minutes: the sweep takes refunds
    // that sat for two minutes, and pg-boss expires a dead worker's job after 15 (its supervisor, here the test's
    // queue client, checks every second instead of every two minutes). Until then the dead job holds the refund's
    // "stately" key, and pg-boss's fetch, which swallows the unique violation, hands out no submission job at all.
    await world.t.db.execute(
      sql`update refunds set updated_at = updated_at - interval '20 minutes', scheduled_at = scheduled_at - interval '20 minutes' where id = ${refund.id}`,
    );
    await world.t.db.execute(
      sql`update pgboss.job set started_on = started_on - interval '20 minutes' where state = 'active'`,
    );
    const restarted = await world.app();
    await restarted.start();
    await until(async () => (await row(refund.id)).status === "SUCCESS", {
      timeoutMs: 30_000,
      what: "SUCCESS after restart",
    });

    const { executed, applies } = await atGateway(refund.outRefundNo);
    expect(executed).toHaveLength(1);
    expect(applies).toHaveLength(1);
    expect(await row(refund.id)).toMatchObject({ attemptCount: 1, outcomeUnknown: false });
    expect(await orderRow(world, refund.orderId)).toMatchObject({ refundedFen: 2_500, inFlightFen: 0, refundCount: 1 });
    await restarted.kill();
  }, 60_000);
});
