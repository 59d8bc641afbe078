import { spawnSync } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refunds } from "../../lib/db/schema";
import { startRefundWorkers } from "../../lib/jobs/refund-jobs";
import { ok } from "../../lib/result";
import { createTestDb, type TestDatabase } from "../db";
import { createPaidOrder } from "../fixtures/orders";
import { ScriptedGateway } from "../fixtures/scripted-gateway";

/**
 * A refund is committed before its submission is queued. If the process dies in between, nothing but the sweep knows
 * the refund is waiting: it must still go out, exactly once — whether it has a scheduled time or none at all (refunds
 * seeded or recorded before times were kept).
 */
describe("a process killed between a refund's commit and its enqueue", () => {
  let t: TestDatabase;
  let boss: PgBoss | undefined;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t.drop();
  });

  const row = async (id: number) => (await t.db.select().from(refunds).where(eq(refunds.id, id)))[0]!;

  it("leaves a PENDING refund that the sweep sends once, with or without a scheduled time", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 5_000 });
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "tests/reliability/request-then-die.ts", t.url, String(order.id), order.merchantId],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.signal).toBe("SIGKILL");
    const { id } = JSON.parse(child.stdout.trim()) as { id: number };
    expect(await row(id)).toMatchObject({ status: "PENDING", attemptCount: 0 });

    // A second one, as the demo seed and older versions left them: PENDING with no scheduled time.
    const other = await createPaidOrder(t.db, { totalFen: 5_000 });
    const [unscheduled] = await t.db
      .insert(refunds)
      .values({
        orderId: other.id,
        merchantId: other.merchantId,
        outRefundNo: `RNULL${Date.now()}`,
        amountFen: 300,
        status: "PENDING",
        scheduledAt: null,
      })
      .returning();
    await t.db.execute(sql`update orders set in_flight_fen = 300, refund_count = 1 where id = ${other.id}`);

    // The sweep leaves refunds alone for two minutes after their last change (a live worker may hold them): move past it.
    await t.db.execute(
      sql`update refunds set updated_at = now() - interval '3 minutes', scheduled_at = scheduled_at - interval '3 minutes' where id in (${id}, ${unscheduled!.id})`,
    );

    const gateway = new ScriptedGateway();
    boss = new PgBoss({ connectionString: t.url, schema: "pgboss", max: 3, supervise: false, schedule: false });
    await boss.start();
    // Starting the workers runs the sweep once, as every instance does at start.
    await startRefundWorkers(boss, {
      db: t.db,
      resolveGateway: async () => ok(gateway),
      pollingIntervalSeconds: 0.5,
      firstReconcileMs: 600_000,
    });

    const deadline = Date.now() + 20_000;
    while ((await row(id)).status === "PENDING" || (await row(unscheduled!.id)).status === "PENDING") {
      if (Date.now() > deadline) throw new Error("the sweep did not send the refunds");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await row(id)).toMatchObject({ status: "PROCESSING", attemptCount: 1 });
    expect(await row(unscheduled!.id)).toMatchObject({ status: "PROCESSING", attemptCount: 1 });
    expect(gateway.calls.filter((c) => c.startsWith("apply")).sort()).toEqual(
      [`apply ${(await row(id)).outRefundNo}`, `apply ${unscheduled!.outRefundNo}`].sort(),
    );
  });
});
