import { eq, inArray } from "drizzle-orm";
import { parse } from "csv-parse/sync";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimControl } from "../../simulator/control-client";
import type { LoggedRequest } from "../../simulator/http/request-log";
import { createSimulator, type Simulator } from "../../simulator/server";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser } from "../../tests/fixtures/orders";
import { simulatorGateway } from "../../tests/fixtures/simulator-merchant";
import { confirmBatch, decideBatch } from "../bulk/lifecycle";
import { allBatchRows } from "../bulk/queries";
import { resultsCsv } from "../bulk/results-csv";
import { uploadBatch } from "../bulk/upload";
import { bulkBatches, merchants, orders, refunds } from "../db/schema";
import { ok } from "../result";
import { rateLimited } from "../wechatpay/rate-limited-gateway";
import { enqueueBulkRun, startBulkWorkers } from "./bulk-jobs";
import { startRefundWorkers } from "./refund-jobs";
import { busiestSecond } from "../../tests/fixtures/busiest-second";

const MCHID = "1900000109";
const APPID = "wx8888888888888888";
const ROWS = 2_000;
const APPLY_PATH = "/v3/refund/domestic/refunds";

describe("a bulk run of 2,000 refunds against the simulator", () => {
  let t: TestDatabase;
  let simulator: Simulator;
  let control: SimControl;
  let boss: PgBoss;

  beforeAll(async () => {
    t = await createTestDb();
    // Real time, WeChat's real limits (150 applications per second); refunds settle quickly, one order a second.
    simulator = createSimulator({ settleMs: 500, orderIntervalMs: 1000, onError: (error) => console.error(error) });
    const { url } = await simulator.listen(0);
    control = new SimControl(url);
    const m = await control.upsertMerchant({ mchid: MCHID, appid: APPID });
    const { gateway: simulatorApi } = simulatorGateway(m, url);

    const [merchant] = await t.db
      .insert(merchants)
      .values({ mchid: MCHID, appid: APPID, displayName: "Bulk merchant", approvalThresholdFen: 100_000 })
      .returning();
    // Two orders per payer, so the run also has to space payers apart.
    const paidAt = new Date(Date.now() - 86_400_000);
    const values = Array.from({ length: ROWS }, (_, i) => ({
      merchantId: merchant!.id,
      outTradeNo: `B${String(i).padStart(6, "0")}`,
      transactionId: `4200000000${String(i).padStart(18, "0")}`,
      totalFen: 1_000,
      paidAt,
      payerOpenid: `o-payer-${Math.floor(i / 2)}`,
    }));
    await t.db.insert(orders).values(values);
    for (let i = 0; i < ROWS; i += 200) {
      const chunk = values.slice(i, i + 200);
      await control.addTransactions(
        MCHID,
        chunk.map((v) => ({
          outTradeNo: v.outTradeNo,
          transactionId: v.transactionId,
          totalFen: v.totalFen,
          paidAt: paidAt.getTime(),
          payerOpenid: v.payerOpenid,
        })),
      );
    }

    boss = new PgBoss({ connectionString: t.url, schema: "pgboss", max: 4, supervise: false, schedule: false });
    await boss.start();
    const gateway = rateLimited(t.db, merchant!.id, simulatorApi);
    await startRefundWorkers(boss, { db: t.db, resolveGateway: async () => ok(gateway), pollingIntervalSeconds: 0.5 });
    await startBulkWorkers(boss, {
      db: t.db,
      settings: { rowsPerSecond: 100, windowMs: 200, sliceMs: 10_000, orderIntervalMs: 1000 },
      pollingIntervalSeconds: 0.5,
    });
  }, 60_000);

  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await simulator?.close();
    await t?.drop();
  });

  it("sends every line once, never more than 150 a second, with no FREQUENCY_LIMITED; the results file accounts for every line", async () => {
    const operator = await createUser(t.db, "operator");
    const [merchant] = await t.db.select().from(merchants);
    const who = {
      merchantId: merchant!.id,
      userId: operator.id,
      role: "operator" as const,
      actor: { id: operator.id, label: operator.email },
    };
    const csv = [
      "out_trade_no,amount,reason",
      ...Array.from({ length: ROWS }, (_, i) => `B${String(i).padStart(6, "0")},${i % 2 ? "full" : "2.50"},批量退款`),
    ].join("\n");
    const uploaded = await uploadBatch(
      t.db,
      { merchantId: merchant!.id, fileName: "2000.csv", bytes: new TextEncoder().encode(csv) },
      { actor: who.actor, userId: who.userId },
    );
    if (!uploaded.ok) throw new Error(uploaded.error.code);
    const batchId = uploaded.value.batchId;
    expect(uploaded.value).toMatchObject({ totalRows: ROWS, validRows: ROWS });
    // ¥12,500 in all: above the merchant's ¥1,000 threshold, so an approver approves the batch as a whole.
    expect(await confirmBatch(t.db, batchId, who)).toEqual({ ok: true, value: "AWAITING_APPROVAL" });
    const approver = await createUser(t.db, "approver");
    const approval = await decideBatch(
      t.db,
      batchId,
      { approve: true, note: "" },
      {
        merchantId: merchant!.id,
        userId: approver.id,
        role: "approver",
        actor: { id: approver.id, label: approver.email },
      },
    );
    expect(approval).toEqual({ ok: true, value: "RUNNING" });

    // The simulator keeps its last 1000 requests: collect them as the run goes.
    const seen = new Map<string, LoggedRequest>();
    const collect = async () => {
      for (const r of await control.requests(APPLY_PATH)) if (r.method === "POST") seen.set(`${r.at}|${r.body}`, r);
    };
    const started = Date.now();
    await enqueueBulkRun(boss, batchId);
    for (;;) {
      await collect();
      const [{ submitted } = { submitted: 0 }] = await t.db
        .select({ submitted: refunds.id })
        .from(refunds)
        .where(inArray(refunds.status, ["PROCESSING", "SUCCESS"]))
        .then((rows) => [{ submitted: rows.length }]);
      const [batch] = await t.db.select().from(bulkBatches).where(eq(bulkBatches.id, batchId));
      if (submitted === ROWS && batch!.status === "COMPLETED") break;
      if (Date.now() - started > 150_000) throw new Error(`stuck: ${submitted} submitted, batch ${batch!.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await collect();

    const applies = [...seen.values()];
    expect(applies.filter((r) => r.code === "FREQUENCY_LIMITED" || r.status === 429)).toEqual([]);
    expect(new Set(applies.map((r) => JSON.parse(r.body).out_refund_no)).size).toBe(ROWS);
    expect(busiestSecond(applies.map((r) => r.at))).toBeLessThanOrEqual(150);
    const made = await t.db.select().from(refunds);
    expect(made).toHaveLength(ROWS);
    expect(made.filter((r) => r.lastErrorCode !== null || r.attemptCount !== 1)).toEqual([]);

    // Two refunds of one payer are scheduled at least the order interval apart.
    const byPayer = new Map<string, number[]>();
    const orderPayer = new Map(
      (await t.db.select({ id: orders.id, payer: orders.payerOpenid }).from(orders)).map((o) => [o.id, o.payer!]),
    );
    for (const r of made)
      byPayer.set(orderPayer.get(r.orderId)!, [
        ...(byPayer.get(orderPayer.get(r.orderId)!) ?? []),
        r.scheduledAt!.getTime(),
      ]);
    const gaps = [...byPayer.values()].map(([a, b]) => Math.abs(a! - b!));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);

    const results = parse(resultsCsv(await allBatchRows(t.db, merchant!.id, batchId), "en"), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(results).toHaveLength(ROWS);
    expect(
      results.filter((r) => r.row_status !== "REQUESTED" || !["PROCESSING", "SUCCESS"].includes(r.refund_status!)),
    ).toEqual([]);
    expect(results.filter((r, i) => r.amount !== (i % 2 ? "10.00" : "2.50"))).toEqual([]);
  }, 200_000);
});
