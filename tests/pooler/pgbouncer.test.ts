import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLBACK_SESSION_SETTINGS, createDatabase, type Database } from "../../lib/db/client";
import { parseRefundFilters } from "../../lib/db/queries/refunds";
import { merchants, orders, refundEvents, refunds } from "../../lib/db/schema";
import { exportRefundsCsv } from "../../lib/exports/refunds";
import { runMigrations } from "../../lib/db/migrate";
import { ensureQueue, getBoss, stopBoss } from "../../lib/jobs/boss";
import type { RequestContext } from "../../lib/refunds/request";
import { createTestDb, type TestDatabase } from "../db";
import { APPID, MCHID, processingRefund, refundResource, v3Callback } from "../fixtures/notifications";
import { createUser } from "../fixtures/orders";
import { callbackBehindLockedOrder, sendRefundCallback } from "../fixtures/refund-callbacks";
import { startPgBouncer, type RunningPgBouncer } from "./pgbouncer";

type Pool = ReturnType<typeof createDatabase>;

/**
 * The same query text 200 times at once over six client connections: each connection prepares it once, then only
 * binds it. What came back within 10 s: the failures, or "stalled" when some never answered.
 */
async function sameQueryMany(db: Database): Promise<string[] | "stalled"> {
  const answers = Array.from({ length: 200 }, (_, i) =>
    db
      .select({ id: orders.id })
      .from(orders)
      .where(eq(orders.id, i))
      .then(
        () => null,
        (error: Error) => String(error.cause ?? error),
      ),
  );
  const settled = Promise.all(answers).then((all) => all.filter((failure) => failure !== null));
  return Promise.race([settled, new Promise<"stalled">((resolve) => setTimeout(() => resolve("stalled"), 10_000))]);
}

/**
 * The console behind a real PgBouncer 1.18 (Debian's) in transaction mode, the pooler most deployments put in front
 * of PostgreSQL. Before 1.21 PgBouncer cannot carry prepared statements across the server connections it hands out,
 * and it refuses session settings as startup parameters: `DATABASE_POOL_MODE=transaction` is the setting that makes
 * a pooled deployment work (docs/scaling.md).
 */
describe("the console behind PgBouncer in transaction mode", () => {
  let t: TestDatabase;
  let pgbouncer: RunningPgBouncer;
  let pooledUrl: string;
  let context: RequestContext;
  const pools: Pool[] = [];
  const pool = (options: Parameters<typeof createDatabase>[1]) => {
    const created = createDatabase(pooledUrl, options);
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    t = await createTestDb();
    await t.db.insert(merchants).values({ mchid: MCHID, appid: APPID, displayName: "Pooled merchant" });
    const operator = await createUser(t.db, "operator");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    pgbouncer = await startPgBouncer(t.url, 2);
    pooledUrl = pgbouncer.through(t.url);
  });
  afterAll(async () => {
    await stopBoss();
    // A pool stalled on purpose above has queries that will never answer: end it without waiting for them.
    await Promise.all(pools.map((p) => p.sql.end({ timeout: 0 })));
    await pgbouncer?.stop();
    await t?.drop();
  });

  describe("without DATABASE_POOL_MODE=transaction, as the console connects directly", () => {
    it("cannot open the callbacks' connections: PgBouncer refuses lock_timeout as a startup parameter", async () => {
      const callbacks = pool({ max: 1, settings: CALLBACK_SESSION_SETTINGS });
      await expect(callbacks.db.execute(sql`select 1`)).rejects.toMatchObject({
        cause: expect.objectContaining({ message: "unsupported startup parameter: lock_timeout" }),
      });
    });

    it("loses its prepared statements: under load, queries fail or never answer", async () => {
      // A statement prepared on one server connection is missing on the next one PgBouncer hands out; postgres.js
      // then waits on answers that do not come (seen here: 112 of 200 answered, the rest stalled).
      const direct = pool({ max: 6 });
      const outcome = await sameQueryMany(direct.db);
      expect(outcome === "stalled" || outcome.length > 0).toBe(true);
      if (outcome !== "stalled") expect(outcome.join("\n")).toMatch(/prepared statement "[^"]+"/);
    }, 20_000);
  });

  describe("with DATABASE_POOL_MODE=transaction", () => {
    let pages: Pool;
    let callbacks: Pool;

    beforeAll(() => {
      pages = pool({ max: 6, pooled: true });
      callbacks = pool({ max: 6, pooled: true, settings: CALLBACK_SESSION_SETTINGS });
    });

    it("runs the same load without a single error", async () => {
      expect(await sameQueryMany(pages.db)).toEqual([]);
    });

    it("applies the pool's settings inside every transaction, and leaves no trace on the shared connections", async () => {
      const inside = await Promise.all(
        Array.from({ length: 40 }, () =>
          callbacks.db.transaction(async (tx) => {
            const [row] = await tx.execute<{ lock_timeout: string }>(
              sql`select current_setting('lock_timeout') as lock_timeout`,
            );
            return row!.lock_timeout;
          }),
        ),
      );
      expect(new Set(inside)).toEqual(new Set(["2s"]));
      // The same server connections, reached by a pool without settings: nothing leaked into their sessions.
      const outside = await Promise.all(
        Array.from({ length: 20 }, () =>
          pages.db.execute<{ lock_timeout: string }>(sql`select current_setting('lock_timeout') as lock_timeout`),
        ),
      );
      expect(new Set(outside.map(([row]) => row!.lock_timeout))).toEqual(new Set(["0"]));
    });

    it("records refunds and applies their callbacks exactly once, with every callback sent twice at once", async () => {
      const made = [];
      for (let i = 0; i < 12; i++) made.push(await processingRefund(pages.db, context));
      const deliveries = made.flatMap((refund) => {
        const callback = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");
        return [callback, callback];
      });
      const answers = await Promise.all(deliveries.map((c) => sendRefundCallback(callbacks.db, c)));
      expect(answers.every((a) => a.status === 200 || a.status === 204)).toBe(true);
      for (const refund of made) {
        const [row] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
        const [order] = await t.db.select().from(orders).where(eq(orders.id, refund.orderId));
        const succeeded = await t.db
          .select()
          .from(refundEvents)
          .where(eq(refundEvents.refundId, refund.id))
          .then((events) => events.filter((e) => e.statusTo === "SUCCESS"));
        expect([row!.status, order!.refundedFen, order!.inFlightFen, succeeded.length]).toEqual(["SUCCESS", 600, 0, 1]);
      }
    });

    it("ends a callback that waits for a locked order after the pool's lock timeout, not WeChat's 5 s", async () => {
      const refund = await processingRefund(pages.db, context);
      const { answer, ms } = await callbackBehindLockedOrder(callbacks.db, t.db, refund);
      expect(ms).toBeLessThan(4000);
      expect(answer.status).toBe(500);
      const [row] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
      expect(row!.status).toBe("PROCESSING");
    });

    it("streams an export in a transaction of its own, with the pool's statement timeout ending a stalled one", async () => {
      const [merchant] = await t.db.select().from(merchants);
      await t.sql`insert into orders (merchant_id, out_trade_no, transaction_id, total_fen, paid_at)
        select ${merchant!.id}, 'PO' || i, '42000009' || lpad(i::text, 20, '0'), 100000, now() - interval '1 day'
        from generate_series(1, 100) i`;
      await t.sql`insert into refunds (order_id, merchant_id, out_refund_no, amount_fen, status, created_at)
        select o.id, o.merchant_id, 'PR' || g, 1, 'SUCCESS', now() - make_interval(secs => g)
        from generate_series(1, 20000) g join orders o on o.out_trade_no = 'PO' || (1 + g % 100)`;
      const exportsPool = pool({ max: 1, pooled: true, settings: { statement_timeout: "1500" } });
      const text = { header: (c: string) => c, status: (s: string) => s, origin: (o: string) => o };
      const reader = exportRefundsCsv(exportsPool.db, merchant!.id, parseRefundFilters({}), text).getReader();
      await reader.read(); // the header
      await reader.read(); // the first batch: the cursor is open on its server connection
      // Other transactions go on meanwhile on the pooler's other connection.
      expect(await pages.db.$count(refunds)).toBeGreaterThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await expect(
        (async () => {
          for (;;) if ((await reader.read()).done) return "finished";
        })(),
      ).rejects.toThrow(/statement timeout/);
      // A full export through the pooler, read without stalling, is complete.
      const full = exportRefundsCsv(pages.db, merchant!.id, parseRefundFilters({}), text);
      const csv = await new Response(full).text();
      expect(csv.trim().split("\r\n").length).toBeGreaterThan(20_000);
    });

    it("migrates an empty database through the pooler", async () => {
      const name = `rc_pooled_${Date.now()}`;
      const at = (base: string) => Object.assign(new URL(base), { pathname: `/${name}` }).toString();
      await t.sql.unsafe(`create database ${name}`);
      try {
        await runMigrations(at(pooledUrl), true);
        // Read back directly from PostgreSQL: the last migration's rows are there.
        const direct = createDatabase(at(t.url), { max: 1 });
        const [row] = await direct.sql<{ n: number }[]>`select count(*)::int as n from refund_status_transitions`;
        await direct.sql.end();
        expect(row!.n).toBe(15);
      } finally {
        await t.sql.unsafe(`drop database if exists ${name} with (force)`);
      }
    });

    it("runs pg-boss jobs through the pooler", async () => {
      const boss = await getBoss(pooledUrl);
      await ensureQueue(boss, { name: "pooler-check" });
      const received = new Promise<unknown>((resolve) => {
        void boss.work<{ n: number }>("pooler-check", async ([job]) => resolve(job!.data));
      });
      await boss.send("pooler-check", { n: 42 });
      expect(await received).toEqual({ n: 42 });
    });
  });
});
