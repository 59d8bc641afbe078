import { eq } from "drizzle-orm";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { bankCardApplications, refundEvents, refunds } from "../db/schema";
import { requestRefund, type RequestContext } from "../refunds/request";
import { ok } from "../result";
import { enqueueSubmission, startRefundWorkers } from "./refund-jobs";
import { until } from "../../tests/fixtures/until";

describe("refund jobs on pg-boss", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let operatorId: string;
  const instances: PgBoss[] = [];

  async function instance(gateway: ScriptedGateway): Promise<PgBoss> {
    const boss = new PgBoss({ connectionString: t.url, schema: "pgboss", max: 3, supervise: false, schedule: false });
    await boss.start();
    instances.push(boss);
    await startRefundWorkers(boss, {
      db: t.db,
      resolveGateway: async () => ok(gateway),
      firstReconcileMs: 500,
      pollingIntervalSeconds: 0.5,
    });
    return boss;
  }

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    operatorId = operator.id;
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(async () => {
    for (const boss of instances) await boss.stop({ graceful: false, wait: true });
    await t.drop();
  });

  it("submits a queued refund and reconciles it to its final state without any callback", async () => {
    const gateway = new ScriptedGateway();
    const boss = await instance(gateway);
    const order = await createPaidOrder(t.db, { totalFen: 5000 });
    const requested = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 1200, reason: "jobs" },
      context,
    );
    if (!requested.ok) throw new Error(requested.error.code);
    await enqueueSubmission(boss, requested.value);
    const status = async () => (await t.db.select().from(refunds).where(eq(refunds.id, requested.value.id)))[0]!.status;
    await until(async () => (await status()) === "PROCESSING");
    // WeChat finishes the refund; no notification ever arrives, the reconciler finds out.
    gateway.executed.get(requested.value.outRefundNo)!.status = "SUCCESS";
    await until(async () => (await status()) === "SUCCESS");
    expect(gateway.calls.filter((c) => c.startsWith("apply"))).toEqual([`apply ${requested.value.outRefundNo}`]);
  });

  it("with two instances on one database, submits every refund exactly once", async () => {
    for (const earlier of instances.splice(0)) await earlier.stop({ graceful: false, wait: true });
    const gateway = new ScriptedGateway();
    const [a, b] = [await instance(gateway), await instance(gateway)];
    const created = [];
    for (let i = 0; i < 12; i++) {
      const order = await createPaidOrder(t.db, { totalFen: 1000 });
      const r = await requestRefund(
        t.db,
        { merchantId: order.merchantId, orderId: order.id, amountFen: 100 + i, reason: "two instances" },
        context,
      );
      if (!r.ok) throw new Error(r.error.code);
      created.push(r.value);
      // Both instances are asked to submit each refund, as after a sweep racing a fresh request.
      await enqueueSubmission(a, r.value);
      await enqueueSubmission(b, r.value, { immediate: true });
    }
    const ids = created.map((r) => r.id);
    await until(
      async () =>
        (await t.db.select().from(refunds)).filter((r) => ids.includes(r.id) && r.status === "PROCESSING").length ===
        ids.length,
    );
    const applies = gateway.calls.filter((c) => c.startsWith("apply"));
    expect(new Set(applies).size).toBe(12);
    expect(gateway.executed.size).toBe(12);
    for (const r of created)
      expect(applies.filter((c) => c === `apply ${r.outRefundNo}`).length).toBeLessThanOrEqual(2);
    const rows = await t.db.select().from(refunds);
    for (const r of rows.filter((x) => ids.includes(x.id))) expect(r.attemptCount).toBe(1);
  });
  it("a starting instance's sweep ends a bank-card application that a crash left approved and unsent", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 5000 });
    const requested = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 700, reason: "card" },
      context,
    );
    if (!requested.ok) throw new Error(requested.error.code);
    const [application] = await t.db
      .insert(bankCardApplications)
      .values({
        refundId: requested.value.id,
        merchantId: order.merchantId,
        bankType: "ICBC_DEBIT",
        maskedAccount: "6214 **** **** 4567",
        maskedName: "*三",
        cardSealed: "sealed card",
        enteredBy: operatorId,
        status: "APPROVED",
        decidedAt: new Date(Date.now() - 6 * 60_000),
      })
      .returning();

    await instance(new ScriptedGateway());

    const [ended] = await t.db.select().from(bankCardApplications).where(eq(bankCardApplications.id, application!.id));
    expect(ended).toMatchObject({ status: "FAILED", resultCode: "INTERRUPTED", cardSealed: null });
    const events = await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, requested.value.id));
    expect(events.map((e) => e.type)).toContain("abnormal_card_interrupted");
  });
});
