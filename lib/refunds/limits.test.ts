import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { refunds, users } from "../db/schema";
import { requestRefund, type RequestContext } from "./request";

describe("requestRefund with a daily limit", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let userId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    userId = operator.id;
    await t.db.update(users).set({ dailyRefundLimitFen: 10_000 }).where(eq(users.id, operator.id));
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(() => t.drop());

  it("counts today's refunds that hold money and refuses what would go beyond", async () => {
    const now = new Date("2026-11-23T02:00:00Z"); // 10:00 in Beijing
    const yesterday = new Date("2026-11-22T15:00:00Z"); // 23:00 in Beijing, the day before
    const order = await createPaidOrder(t.db, { totalFen: 50_000, paidAt: new Date("2026-11-01T00:00:00Z") });
    const at = (d: Date) => ({ ...context, now: d });
    expect(
      (
        await requestRefund(
          t.db,
          { merchantId: order.merchantId, orderId: order.id, amountFen: 9_000, reason: "" },
          at(yesterday),
        )
      ).ok,
    ).toBe(true);
    const failed = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 4_000, reason: "" },
      at(now),
    );
    expect(failed.ok).toBe(true);
    // A refund WeChat finally refused no longer holds money: it does not use up the day.
    if (failed.ok) await t.db.update(refunds).set({ status: "FAILED" }).where(eq(refunds.id, failed.value.id));
    expect(
      (
        await requestRefund(
          t.db,
          { merchantId: order.merchantId, orderId: order.id, amountFen: 6_000, reason: "" },
          at(now),
        )
      ).ok,
    ).toBe(true);
    const over = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 4_001, reason: "" },
      at(now),
    );
    expect(over).toMatchObject({
      ok: false,
      error: {
        code: "DAILY_LIMIT_EXCEEDED",
        message: {
          key: "outcomes.refunds.policy.DAILY_LIMIT_EXCEEDED",
          values: expect.objectContaining({ usedToday: "¥60.00", limit: "¥100.00" }),
        },
      },
    });
    expect(
      (
        await requestRefund(
          t.db,
          { merchantId: order.merchantId, orderId: order.id, amountFen: 4_000, reason: "" },
          at(now),
        )
      ).ok,
    ).toBe(true);
    // A refund in a batch approved as a whole is not held to the requester's own limit.
    expect(
      (
        await requestRefund(
          t.db,
          { merchantId: order.merchantId, orderId: order.id, amountFen: 5_000, reason: "" },
          { ...at(now), preApproved: { by: userId } },
        )
      ).ok,
    ).toBe(true);
  });

  it("serialises one operator's concurrent requests on different orders: the limit holds exactly", async () => {
    const operator = await createUser(t.db, "operator");
    await t.db.update(users).set({ dailyRefundLimitFen: 10_000 }).where(eq(users.id, operator.id));
    const own = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    const ordersToRefund = [];
    for (let i = 0; i < 12; i++) ordersToRefund.push(await createPaidOrder(t.db, { totalFen: 5_000 }));
    const results = await Promise.all(
      ordersToRefund.map((o) =>
        requestRefund(t.db, { merchantId: o.merchantId, orderId: o.id, amountFen: 1_000, reason: "" }, own),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.error.code === "DAILY_LIMIT_EXCEEDED")).toHaveLength(2);
    expect(await t.db.$count(refunds, eq(refunds.requestedBy, operator.id))).toBe(10);
  });
});
