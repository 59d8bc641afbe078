import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { auditLog, merchants, orders, refundEvents, refunds } from "../db/schema";
import { requestRefund, type RequestContext } from "./request";
import { sumRefunds } from "./status";

describe("requestRefund", () => {
  let t: TestDatabase;
  let context: RequestContext;

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    context = {
      actor: { id: operator.id, label: operator.email, ip: "127.0.0.1" },
      userId: operator.id,
      orderIntervalMs: 60_000,
    };
  });
  afterAll(() => t.drop());

  it("records a PENDING refund, reserves its amount, and writes the timeline and the audit log together", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 1050 });
    const result = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 1000, reason: "Damaged 破损" },
      context,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ status: "PENDING", amountFen: 1000, requestedBy: context.userId });
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after).toMatchObject({ inFlightFen: 1000, refundedFen: 0, refundCount: 1 });
    const events = await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, result.value.id));
    expect(events).toMatchObject([{ type: "requested", source: "operator", statusTo: "PENDING" }]);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.targetId, result.value.outRefundNo));
    expect(audits).toMatchObject([{ action: "refund.requested", ip: "127.0.0.1" }]);
  });

  it("refuses what breaks a rule and changes nothing", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 1050, refundedFen: 0 });
    await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 1000, reason: "" },
      context,
    );
    const tooMuch = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 1200, reason: "" },
      context,
    );
    expect(tooMuch).toMatchObject({
      ok: false,
      error: {
        code: "AMOUNT_EXCEEDS_REMAINING",
        message: {
          key: "outcomes.refunds.policy.AMOUNT_EXCEEDS_REMAINING",
          values: { amount: "¥12.00", remaining: "¥0.50" },
        },
      },
    });
    const old = await createPaidOrder(t.db, { paidAt: new Date(Date.now() - 366 * 86_400_000) });
    expect(
      await requestRefund(t.db, { merchantId: old.merchantId, orderId: old.id, amountFen: 1, reason: "" }, context),
    ).toMatchObject({
      ok: false,
      error: { code: "ORDER_TOO_OLD" },
    });
    expect(
      await requestRefund(
        t.db,
        { merchantId: order.merchantId, orderId: 987654321, amountFen: 1, reason: "" },
        context,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: "ORDER_NOT_FOUND" },
    });
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after).toMatchObject({ inFlightFen: 1000, refundCount: 1 });
    expect(await t.db.$count(refunds, eq(refunds.orderId, old.id))).toBe(0);
  });

  describe("for an order of a disabled merchant", () => {
    const asApiKey = (): RequestContext => ({
      actor: { id: null, label: "api-key:rk_test" },
      userId: null,
      orderIntervalMs: 60_000,
    });
    const asBulkLine = (): RequestContext => ({ ...context, preApproved: { by: context.userId! } });
    // Every way a new refund arrives: an operator in the console, a shop's API key, a line of an approved bulk batch.
    it.each([
      ["an operator", () => context],
      ["an API key", asApiKey],
      ["a pre-approved bulk line", asBulkLine],
    ])(
      "refuses a new refund from %s with MERCHANT_INACTIVE before any rule, and writes nothing",
      async (_who, contextFor) => {
        const merchant = await createMerchant(t.db, "Disabled shop");
        await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, merchant.id));
        const order = await createPaidOrder(t.db, { merchantId: merchant.id, totalFen: 1_000 });
        const auditsBefore = await t.db.$count(auditLog);
        // 5,000 fen also breaks a rule (more than the total): the merchant is named as the reason, not the amount.
        for (const amountFen of [100, 5_000]) {
          expect(
            await requestRefund(
              t.db,
              {
                merchantId: order.merchantId,
                orderId: order.id,
                amountFen,
                reason: "",
                outRefundNo: `RDIS${order.id}${amountFen}`,
              },
              contextFor(),
            ),
          ).toEqual({
            ok: false,
            error: {
              code: "MERCHANT_INACTIVE",
              message: { key: "outcomes.refunds.merchantActive.MERCHANT_INACTIVE" },
            },
          });
        }
        expect(await t.db.$count(refunds, eq(refunds.orderId, order.id))).toBe(0);
        expect(await t.db.$count(auditLog)).toBe(auditsBefore);
        const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
        expect(after).toMatchObject({ inFlightFen: 0, refundedFen: 0, refundCount: 0 });

        // Enabled again, the same request goes through: the flag alone refused it.
        await t.db.update(merchants).set({ active: true }).where(eq(merchants.id, merchant.id));
        expect(
          await requestRefund(
            t.db,
            { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
            contextFor(),
          ),
        ).toMatchObject({ ok: true });
      },
    );
  });

  it("spaces the submissions of one order a minute apart", async () => {
    const order = await createPaidOrder(t.db);
    const now = new Date("2026-11-23T10:00:00Z");
    const first = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
      { ...context, now },
    );
    const second = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
      { ...context, now: new Date(now.getTime() + 5_000) },
    );
    const third = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "" },
      { ...context, now: new Date(now.getTime() + 6_000) },
    );
    expect([first, second, third].map((r) => (r.ok ? r.value.scheduledAt?.toISOString() : r))).toEqual([
      "2026-11-23T10:00:00.000Z",
      "2026-11-23T10:01:00.000Z",
      "2026-11-23T10:02:00.000Z",
    ]);
  });

  it("never lets 100 concurrent requests on one order exceed the total or 50 refunds", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 7_777 });
    const amounts = Array.from({ length: 100 }, (_, i) => 100 + (i % 7) * 37);
    const results = await Promise.all(
      amounts.map((amountFen) =>
        requestRefund(t.db, { merchantId: order.merchantId, orderId: order.id, amountFen, reason: "" }, context),
      ),
    );
    const accepted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    const rows = await t.db.select().from(refunds).where(eq(refunds.orderId, order.id));
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    const reserved = rows.reduce((sum, r) => sum + r.amountFen, 0);
    expect(rows).toHaveLength(accepted.length);
    expect(accepted.length).toBeLessThanOrEqual(50);
    expect(reserved).toBeLessThanOrEqual(7_777);
    expect(after).toMatchObject({ ...sumRefunds(rows) });
    expect(after!.inFlightFen).toBe(reserved);
    // Every refusal says why, with a rule code.
    for (const r of refused)
      expect(["AMOUNT_EXCEEDS_REMAINING", "REFUND_LIMIT_REACHED"]).toContain(r.ok ? "" : r.error.code);
    // It filled up: what remains is smaller than the smallest refused amount.
    expect(7_777 - reserved).toBeLessThan(100);
  });

  it("caps at 50 refunds even when money remains", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 1_000_000 });
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        requestRefund(t.db, { merchantId: order.merchantId, orderId: order.id, amountFen: 1, reason: "" }, context),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(results.filter((r) => !r.ok && r.error.code === "REFUND_LIMIT_REACHED")).toHaveLength(10);
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after).toMatchObject({ refundCount: 50, inFlightFen: 50 });
  });
});
