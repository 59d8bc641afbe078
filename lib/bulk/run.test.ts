import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { auditLog, bulkBatches, bulkRows, merchants, orders, refunds, type Order, type Refund } from "../db/schema";
import { requestRefund } from "../refunds/request";
import { cancelBatch, confirmBatch, decideBatch, pauseBatch, resumeBatch, type BatchActor } from "./lifecycle";
import { allBatchRows, batchProgress } from "./queries";
import { runBatch, type RunSettings } from "./run";
import { uploadBatch } from "./upload";
import { until } from "../../tests/fixtures/until";
import { translate } from "../translate";

const FAST: RunSettings = { rowsPerSecond: 150, windowMs: 50, sliceMs: 10_000, orderIntervalMs: 0 };

describe("bulk runs", () => {
  let t: TestDatabase;
  let merchantId: string;
  let operator: BatchActor;
  let otherOperator: BatchActor;
  let approver: BatchActor;
  const enqueued: Pick<Refund, "id" | "scheduledAt">[] = [];
  const enqueue = async (refunds: Pick<Refund, "id" | "scheduledAt">[]) => void enqueued.push(...refunds);

  const person = async (role: "operator" | "approver"): Promise<BatchActor> => {
    const user = await createUser(t.db, role);
    return { merchantId, userId: user.id, role, actor: { id: user.id, label: user.email } };
  };

  beforeAll(async () => {
    t = await createTestDb();
    merchantId = (await createPaidOrder(t.db)).merchantId;
    await t.db.update(merchants).set({ approvalThresholdFen: 100_000 }).where(eq(merchants.id, merchantId));
    [operator, otherOperator, approver] = [
      await person("operator"),
      await person("operator"),
      await person("approver"),
    ];
  });
  afterAll(() => t.drop());

  async function upload(csv: string, by = operator) {
    const uploaded = await uploadBatch(
      t.db,
      { merchantId, fileName: "refunds.csv", bytes: new TextEncoder().encode(csv) },
      { actor: by.actor, userId: by.userId },
    );
    if (!uploaded.ok) throw new Error(uploaded.error.code);
    return uploaded.value.batchId;
  }
  const rowsOf = (batchId: number) =>
    t.db.select().from(bulkRows).where(eq(bulkRows.batchId, batchId)).orderBy(bulkRows.lineNo);
  const batchOf = async (batchId: number) =>
    (await t.db.select().from(bulkBatches).where(eq(bulkBatches.id, batchId)))[0]!;
  const auditOf = async (batchId: number) =>
    (
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetType, "bulk_batch"), eq(auditLog.targetId, String(batchId))))
        .orderBy(auditLog.id)
    ).map((a) => a.action);
  const ordersOf = (n: number, over: Partial<Order> = {}) =>
    Promise.all(Array.from({ length: n }, () => createPaidOrder(t.db, { merchantId, totalFen: 1_000, ...over })));

  it("previews, confirms and runs a batch below the threshold: every valid line becomes one refund", async () => {
    const [a, b] = await ordersOf(2);
    const batchId = await upload(
      `out_trade_no,amount,reason\n${a!.outTradeNo},1.00,Late\n${a!.outTradeNo},full,Rest\nNOPE,1\n${b!.outTradeNo},2.5\n`,
    );
    expect((await rowsOf(batchId)).map((r) => [r.status, r.amountFen, r.errorCode])).toEqual([
      ["READY", 100, null],
      ["READY", 900, null],
      ["INVALID", 100, "ORDER_NOT_FOUND"],
      ["READY", 250, null],
    ]);
    expect(await batchOf(batchId)).toMatchObject({
      status: "VALIDATED",
      totalRows: 4,
      validRows: 3,
      validAmountFen: 1250,
    });

    expect(await confirmBatch(t.db, batchId, operator)).toEqual({ ok: true, value: "RUNNING" });
    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "completed" });

    const rows = await rowsOf(batchId);
    expect(rows.map((r) => r.status)).toEqual(["REQUESTED", "REQUESTED", "INVALID", "REQUESTED"]);
    const made = await t.db
      .select()
      .from(refunds)
      .where(
        inArray(
          refunds.id,
          rows.flatMap((r) => (r.refundId ? [r.refundId] : [])),
        ),
      );
    expect(made.map((r) => [r.outRefundNo, r.amountFen, r.status, r.requestedBy]).sort()).toEqual(
      rows
        .filter((r) => r.status === "REQUESTED")
        .map((r) => [r.outRefundNo, r.amountFen, "PENDING", operator.userId])
        .sort(),
    );
    expect(enqueued.map((r) => r.id)).toEqual(expect.arrayContaining(made.map((r) => r.id)));
    expect(await batchOf(batchId)).toMatchObject({ status: "COMPLETED" });
    expect(await auditOf(batchId)).toEqual(["bulk.uploaded", "bulk.confirmed", "bulk.completed"]);
    const progress = await batchProgress(t.db, merchantId, batchId);
    expect(progress).toMatchObject({
      status: "COMPLETED",
      counts: { INVALID: 1, READY: 0, REQUESTED: 3, FAILED: 0, SKIPPED: 0 },
      refunds: { PENDING: 3 },
      etaSeconds: null,
      active: true,
    });
    expect(progress!.rowsPerSecond).toBeGreaterThan(0);
  });

  it("sends a batch above the threshold to an approver other than the uploader; approved rows skip single approval", async () => {
    const big = await ordersOf(2, { totalFen: 90_000 });
    const batchId = await upload(big.map((o) => `${o.outTradeNo},full`).join("\n"));
    expect(await confirmBatch(t.db, batchId, operator)).toEqual({ ok: true, value: "AWAITING_APPROVAL" });
    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "stopped" });

    expect(await decideBatch(t.db, batchId, { approve: true, note: "" }, otherOperator)).toMatchObject({
      ok: false,
      error: { code: "NOT_ALLOWED" },
    });
    const uploaderApprover = await person("approver");
    const own = await upload(`${(await ordersOf(1, { totalFen: 200_000 }))[0]!.outTradeNo},full`, uploaderApprover);
    await confirmBatch(t.db, own, uploaderApprover);
    expect(await decideBatch(t.db, own, { approve: true, note: "" }, uploaderApprover)).toMatchObject({
      ok: false,
      error: { code: "SELF_APPROVAL" },
    });

    expect(await decideBatch(t.db, batchId, { approve: true, note: "checked" }, approver)).toEqual({
      ok: true,
      value: "RUNNING",
    });
    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "completed" });
    const made = await t.db
      .select()
      .from(refunds)
      .where(
        inArray(
          refunds.orderId,
          big.map((o) => o.id),
        ),
      );
    // Each refund is above the threshold on its own, yet goes straight to PENDING with the batch's approver.
    expect(made.map((r) => [r.amountFen, r.status, r.approvedBy])).toEqual([
      [90_000, "PENDING", approver.userId],
      [90_000, "PENDING", approver.userId],
    ]);
    expect(await auditOf(batchId)).toEqual(["bulk.uploaded", "bulk.confirmed", "bulk.approved", "bulk.completed"]);
  });

  it("a rejected batch refunds nothing and every line ends SKIPPED", async () => {
    const [o] = await ordersOf(1, { totalFen: 500_000 });
    const batchId = await upload(`${o!.outTradeNo},full`);
    await confirmBatch(t.db, batchId, operator);
    expect(await decideBatch(t.db, batchId, { approve: false, note: "too much" }, approver)).toEqual({
      ok: true,
      value: "REJECTED",
    });
    expect((await rowsOf(batchId)).map((r) => [r.status, r.refundId])).toEqual([["SKIPPED", null]]);
    expect(await batchOf(batchId)).toMatchObject({ decidedBy: approver.userId, decisionNote: "too much" });
    expect(await auditOf(batchId)).toEqual(["bulk.uploaded", "bulk.confirmed", "bulk.rejected"]);
  });

  it("pauses between rows, resumes, and on cancel skips what had not had its turn", async () => {
    const some = await ordersOf(30);
    const batchId = await upload(some.map((o) => `${o.outTradeNo},0.10`).join("\n"));
    await confirmBatch(t.db, batchId, operator);
    // Slow enough to pause halfway: one row per 100 ms window.
    const slow: RunSettings = { ...FAST, rowsPerSecond: 10, windowMs: 100 };
    const requestedCount = async () => (await rowsOf(batchId)).filter((r) => r.status === "REQUESTED").length;
    const running = runBatch(t.db, batchId, slow, enqueue);
    await until(async () => (await requestedCount()) >= 2);
    expect(await pauseBatch(t.db, batchId, otherOperator)).toMatchObject({ ok: false, error: { code: "NOT_ALLOWED" } });
    expect(await pauseBatch(t.db, batchId, operator)).toEqual({ ok: true, value: "PAUSED" });
    expect(await running).toEqual({ kind: "stopped" });
    const paused = await rowsOf(batchId);
    const done = paused.filter((r) => r.status === "REQUESTED").length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(30);

    // An approver may steer anyone's batch.
    expect(await resumeBatch(t.db, batchId, approver)).toEqual({ ok: true, value: "RUNNING" });
    const again = runBatch(t.db, batchId, slow, enqueue);
    await until(async () => (await requestedCount()) > done);
    expect(await cancelBatch(t.db, batchId, operator)).toEqual({ ok: true, value: "CANCELLED" });
    expect(await again).toEqual({ kind: "stopped" });

    const rows = await rowsOf(batchId);
    const requested = rows.filter((r) => r.status === "REQUESTED");
    expect(requested.length).toBeGreaterThan(done);
    expect(requested.length + rows.filter((r) => r.status === "SKIPPED").length).toBe(30);
    // A skipped line never became a refund; a requested one did, exactly once.
    const made = await t.db
      .select()
      .from(refunds)
      .where(
        inArray(
          refunds.orderId,
          some.map((o) => o.id),
        ),
      );
    expect(made.map((r) => r.outRefundNo).sort()).toEqual(requested.map((r) => r.outRefundNo).sort());
    expect(await auditOf(batchId)).toEqual([
      "bulk.uploaded",
      "bulk.confirmed",
      "bulk.paused",
      "bulk.resumed",
      "bulk.cancelled",
    ]);
  });

  it("after a crash between recording a refund and marking its row, the re-run links that refund and makes no second one", async () => {
    const [o] = await ordersOf(1);
    const batchId = await upload(`${o!.outTradeNo},3.00,crash`);
    await confirmBatch(t.db, batchId, operator);
    const [row] = await rowsOf(batchId);
    // The first run got as far as the refund: recorded under the row's number, the row still READY.
    const recorded = await requestRefund(
      t.db,
      { merchantId: o!.merchantId, orderId: o!.id, amountFen: 300, reason: "crash", outRefundNo: row!.outRefundNo! },
      { actor: operator.actor, userId: operator.userId, orderIntervalMs: 0 },
    );
    expect(recorded.ok).toBe(true);

    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "completed" });
    const [linked] = await rowsOf(batchId);
    expect(linked).toMatchObject({ status: "REQUESTED", refundId: recorded.ok ? recorded.value.id : -1 });
    expect(await t.db.select().from(refunds).where(eq(refunds.orderId, o!.id))).toHaveLength(1);
    expect((await t.db.select().from(orders).where(eq(orders.id, o!.id)))[0]).toMatchObject({
      refundCount: 1,
      inFlightFen: 300,
    });
  });

  it("fails a line whose order changed since the preview, with the rule's reason, and goes on with the others", async () => {
    const [changed, fine] = await ordersOf(2);
    const batchId = await upload(`${changed!.outTradeNo},6.00\n${fine!.outTradeNo},1.00`);
    await requestRefund(
      t.db,
      { merchantId: changed!.merchantId, orderId: changed!.id, amountFen: 500, reason: "meanwhile" },
      { actor: operator.actor, userId: operator.userId, orderIntervalMs: 0 },
    );
    await confirmBatch(t.db, batchId, operator);
    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "completed" });
    const rows = await allBatchRows(t.db, merchantId, batchId);
    expect(rows.map(({ row }) => [row.status, row.errorCode])).toEqual([
      ["FAILED", "AMOUNT_EXCEEDS_REMAINING"],
      ["REQUESTED", null],
    ]);
    expect(translate(rows[0]!.row.errorMessage!, "zh-CN")).toContain("超过了剩余可退金额");
  });

  it("fails the remaining lines with MERCHANT_INACTIVE when the merchant is disabled after the preview, refunding nothing", async () => {
    const shop = await createMerchant(t.db, "Disabled during the batch");
    const [a, b] = await Promise.all([1, 2].map(() => createPaidOrder(t.db, { merchantId: shop.id, totalFen: 1_000 })));
    const uploaded = await uploadBatch(
      t.db,
      {
        merchantId: shop.id,
        fileName: "refunds.csv",
        bytes: new TextEncoder().encode(`${a!.outTradeNo},1.00\n${b!.outTradeNo},2.00`),
      },
      { actor: operator.actor, userId: operator.userId },
    );
    if (!uploaded.ok) throw new Error(uploaded.error.code);
    const batchId = uploaded.value.batchId;
    // The uploader works in the shop's merchant: a batch is confirmed in the merchant it belongs to.
    expect(await confirmBatch(t.db, batchId, { ...operator, merchantId: shop.id })).toMatchObject({ ok: true });
    await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, shop.id));
    enqueued.length = 0;

    expect(await runBatch(t.db, batchId, FAST, enqueue)).toEqual({ kind: "completed" });
    const rows = await allBatchRows(t.db, shop.id, batchId);
    expect(
      rows.map(({ row }) => [row.status, row.errorCode, row.errorMessage && translate(row.errorMessage, "en")]),
    ).toEqual([
      ["FAILED", "MERCHANT_INACTIVE", "This merchant is disabled and takes no new refunds."],
      ["FAILED", "MERCHANT_INACTIVE", "This merchant is disabled and takes no new refunds."],
    ]);
    expect(
      await t.db
        .select()
        .from(refunds)
        .where(inArray(refunds.orderId, [a!.id, b!.id])),
    ).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it("spaces refunds of one payer at least the order interval apart", async () => {
    const payer = "o-same-payer";
    const [first, second] = await ordersOf(2, { payerOpenid: payer });
    const [other] = await ordersOf(1);
    const batchId = await upload([first, second, other].map((o) => `${o!.outTradeNo},1.00`).join("\n"));
    await confirmBatch(t.db, batchId, operator);
    expect(await runBatch(t.db, batchId, { ...FAST, orderIntervalMs: 800 }, enqueue)).toEqual({ kind: "completed" });
    const made = await t.db
      .select()
      .from(refunds)
      .where(inArray(refunds.orderId, [first!.id, second!.id, other!.id]));
    const at = (o: Order | undefined) => made.find((r) => r.orderId === o!.id)!.scheduledAt!.getTime();
    expect(at(second) - at(first)).toBeGreaterThanOrEqual(800);
    // The other payer did not wait behind them.
    expect(at(other) - at(first)).toBeLessThan(800);
  });
});
