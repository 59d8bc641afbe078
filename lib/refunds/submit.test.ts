import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { refundState } from "../../tests/fixtures/statements";
import { ok } from "../result";
import { merchants, refunds } from "../db/schema";
import { requestRefund, type RequestContext } from "./request";
import { retryRefund } from "./retry";
import { submitRefund } from "./submit";

describe("submitRefund", () => {
  let t: TestDatabase;
  let context: RequestContext;

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(() => t.drop());

  async function newRefund(amountFen = 600, totalFen = 1000) {
    const order = await createPaidOrder(t.db, { totalFen });
    const result = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen, reason: "test" },
      context,
    );
    if (!result.ok) throw new Error(result.error.code);
    return { order, refund: result.value };
  }
  const state = async (refundId: number) => {
    const { refund, order, events } = await refundState(t.db, refundId);
    return { refund, order, events: events.map((e) => e.type) };
  };

  it("marks an accepted refund PROCESSING with WeChat's refund_id; the amount stays in flight", async () => {
    const gateway = new ScriptedGateway();
    const { refund } = await newRefund();
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    const s = await state(refund.id);
    expect(s.refund).toMatchObject({ status: "PROCESSING", attemptCount: 1 });
    expect(s.refund.refundId).toMatch(/^503/);
    expect(s.order).toMatchObject({ inFlightFen: 600, refundedFen: 0 });
    expect(s.events).toEqual(["requested", "submitted", "accepted"]);
  });

  it("holds a refund back until a minute after another refund of its order went, without asking WeChat", async () => {
    const gateway = new ScriptedGateway();
    const { order, refund: first } = await newRefund(300);
    // Recorded when no interval applied (as seeded data, or two refunds the sweep finds due after an outage).
    const second = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 200, reason: "test" },
      context,
    );
    if (!second.ok) throw new Error(second.error.code);
    const sentAt = new Date();
    const options = { orderIntervalMs: 60_000, now: () => sentAt };
    expect(await submitRefund(t.db, async () => ok(gateway), first.id, options)).toMatchObject({ kind: "settled" });

    const tooSoon = new Date(sentAt.getTime() + 20_000);
    expect(
      await submitRefund(t.db, async () => ok(gateway), second.value.id, { ...options, now: () => tooSoon }),
    ).toEqual({ kind: "retry", afterMs: 40_000, reason: "order_interval" });
    expect(gateway.calls).toEqual([`apply ${first.outRefundNo}`]);
    expect((await state(second.value.id)).refund).toMatchObject({ status: "PENDING", attemptCount: 0 });

    const aMinuteOn = new Date(sentAt.getTime() + 60_000);
    expect(
      await submitRefund(t.db, async () => ok(gateway), second.value.id, { ...options, now: () => aMinuteOn }),
    ).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(gateway.calls).toEqual([`apply ${first.outRefundNo}`, `apply ${second.value.outRefundNo}`]);
  });

  it("keeps a refund PENDING after SYSTEM_ERROR and sends the same number again", async () => {
    const gateway = new ScriptedGateway().script({ code: "SYSTEM_ERROR", status: 500 }, "accept");
    const { refund } = await newRefund();
    const first = await submitRefund(t.db, async () => ok(gateway), refund.id);
    expect(first).toMatchObject({ kind: "retry", reason: "SYSTEM_ERROR" });
    expect((await state(refund.id)).refund).toMatchObject({ status: "PENDING", lastErrorCode: "SYSTEM_ERROR" });
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    expect(gateway.calls).toEqual([`apply ${refund.outRefundNo}`, `apply ${refund.outRefundNo}`]);
  });

  it("after a lost answer, asks WeChat first and never executes the refund twice", async () => {
    const gateway = new ScriptedGateway().script("accept_then_timeout");
    const { refund } = await newRefund();
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toMatchObject({
      kind: "retry",
      reason: "TIMEOUT",
    });
    expect((await state(refund.id)).refund).toMatchObject({ status: "PENDING", outcomeUnknown: true });
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    expect(gateway.calls).toEqual([`apply ${refund.outRefundNo}`, `query ${refund.outRefundNo}`]);
    expect(gateway.executed.size).toBe(1);
    expect((await state(refund.id)).events).toEqual(["requested", "submitted", "outcome_unknown", "accepted"]);
  });

  it("resends a request that never arrived once WeChat says it does not know the number", async () => {
    const gateway = new ScriptedGateway().script("timeout_before_arrival", "accept");
    const { refund } = await newRefund();
    await submitRefund(t.db, async () => ok(gateway), refund.id);
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    expect(gateway.calls).toEqual([
      `apply ${refund.outRefundNo}`,
      `query ${refund.outRefundNo}`,
      `apply ${refund.outRefundNo}`,
    ]);
  });

  it("fails on NOT_ENOUGH and releases the amount; a retry with the same number succeeds", async () => {
    const gateway = new ScriptedGateway().script({ code: "NOT_ENOUGH", status: 403 }, "accept");
    const { refund } = await newRefund(600, 1000);
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({ kind: "settled", status: "FAILED" });
    let s = await state(refund.id);
    expect(s.refund).toMatchObject({ status: "FAILED", lastErrorCode: "NOT_ENOUGH" });
    expect(s.order).toMatchObject({ inFlightFen: 0, refundCount: 1 });
    const retried = await retryRefund(t.db, refund.outRefundNo, { ...context, merchantId: refund.merchantId });
    expect(retried).toMatchObject({ ok: true, value: { status: "PENDING", outRefundNo: refund.outRefundNo } });
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    s = await state(refund.id);
    expect(s.order).toMatchObject({ inFlightFen: 600, refundCount: 1 });
    expect(gateway.calls).toEqual([`apply ${refund.outRefundNo}`, `apply ${refund.outRefundNo}`]);
  });

  it("still sends a refund recorded before its merchant was disabled, while refusing new ones", async () => {
    const gateway = new ScriptedGateway();
    const shop = await createMerchant(t.db, "Disabled later");
    const order = await createPaidOrder(t.db, { merchantId: shop.id, totalFen: 1_000 });
    const recorded = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 400, reason: "before" },
      context,
    );
    if (!recorded.ok) throw new Error(recorded.error.code);
    await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, shop.id));

    expect(
      await requestRefund(
        t.db,
        { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "after" },
        context,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: "MERCHANT_INACTIVE" },
    });
    expect(await submitRefund(t.db, async () => ok(gateway), recorded.value.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    expect(gateway.calls).toEqual([`apply ${recorded.value.outRefundNo}`]);
    expect((await state(recorded.value.id)).order).toMatchObject({ inFlightFen: 400, refundCount: 1 });
  });

  it("waits for the scheduled time before sending", async () => {
    const gateway = new ScriptedGateway();
    const order = await createPaidOrder(t.db);
    const now = new Date();
    await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
      { ...context, orderIntervalMs: 60_000, now },
    );
    await submitRefund(
      t.db,
      async () => ok(gateway),
      (await t.db.select().from(refunds).where(eq(refunds.orderId, order.id)))[0]!.id,
    );
    const second = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
      { ...context, orderIntervalMs: 60_000, now },
    );
    if (!second.ok) throw new Error("refused");
    const outcome = await submitRefund(t.db, async () => ok(gateway), second.value.id, { now: () => now });
    expect(outcome).toMatchObject({ kind: "retry", reason: "scheduled" });
    expect(outcome.kind === "retry" && outcome.afterMs).toBeGreaterThan(50_000);
    expect(gateway.calls).toHaveLength(1);
  });
});
