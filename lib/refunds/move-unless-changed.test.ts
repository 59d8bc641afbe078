import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { holdOrderLock, lockWaits } from "../../tests/fixtures/locks";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { insertNotification } from "../notifications/record";
import { notifications, orders, refundEvents, refunds } from "../db/schema";
import { lockRefund, moveRefund } from "./move";
import { moveRefundUnlessChanged } from "./move-unless-changed";
import { requestRefund } from "./request";

describe("moveRefundUnlessChanged", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  /** A PROCESSING refund of 300 fen on a fresh order, and a delivery row to settle alongside its move. */
  async function processingWithDelivery() {
    const order = await createPaidOrder(t.db, { totalFen: 1000 });
    const requested = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 300, reason: "test" },
      { actor: { id: null, label: "test" }, userId: null, orderIntervalMs: 0 },
    );
    if (!requested.ok) throw new Error(requested.error.code);
    await t.db.transaction(async (tx) => {
      const locked = (await lockRefund(tx, { id: requested.value.id }))!;
      await moveRefund(tx, locked, "PROCESSING", { type: "accepted", source: "gateway" });
    });
    const [read] = await t.db.select().from(refunds).where(eq(refunds.id, requested.value.id));
    const { id: notificationRowId } = await insertNotification(t.db, {
      protocol: "v3",
      verification: "verified",
      headers: {},
      rawBody: "{}",
      outcome: "error",
    });
    return { refund: read!, notificationRowId };
  }
  const settledAs = { responseStatus: 204, responseBody: "" };
  const succeeded = () => ({ type: "succeeded", source: "notify" as const, at: new Date() });
  const fields = {
    refundId: "5030000001",
    channel: "ORIGINAL",
    userReceivedAccount: "支付用户零钱",
    fundsAccount: null,
    outcomeUnknown: false,
    submittingUntil: null,
    finishedAt: new Date("2026-12-04T08:00:00Z"),
  };
  const stateOf = async (refundId: number, orderId: number, notificationRowId: number) => ({
    refund: (await t.db.select().from(refunds).where(eq(refunds.id, refundId)))[0]!,
    order: (await t.db.select().from(orders).where(eq(orders.id, orderId)))[0]!,
    events: await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, refundId)),
    delivery: (await t.db.select().from(notifications).where(eq(notifications.id, notificationRowId)))[0]!,
  });

  it("moves the refund, shifts the order's sums, appends the event and settles the delivery, in one statement", async () => {
    const { refund: read, notificationRowId } = await processingWithDelivery();
    const moved = await moveRefundUnlessChanged(t.db, read, "SUCCESS", succeeded(), fields, {
      notificationRowId,
      ...settledAs,
    });
    expect(moved).toEqual({ movedId: read.id, eventWanted: false });
    const after = await stateOf(read.id, read.orderId, notificationRowId);
    expect(after.refund).toMatchObject({ status: "SUCCESS", refundId: "5030000001", finishedAt: fields.finishedAt });
    expect(after.order).toMatchObject({ refundedFen: 300, inFlightFen: 0, refundCount: 1 });
    expect(after.events.map((e) => [e.type, e.statusFrom, e.statusTo]).slice(-2)).toEqual([
      ["accepted", "PENDING", "PROCESSING"],
      ["succeeded", "PROCESSING", "SUCCESS"],
    ]);
    expect(after.delivery).toMatchObject({ outcome: "applied", refundId: read.id, responseStatus: 204 });
  });

  it("writes nothing when the refund is no longer as read", async () => {
    const { refund: read, notificationRowId } = await processingWithDelivery();
    // Another writer moved it meanwhile (a query's CLOSED, say): the read is stale.
    await t.db.transaction(async (tx) => {
      const locked = (await lockRefund(tx, { id: read.id }))!;
      await moveRefund(tx, locked, "CLOSED", { type: "closed", source: "reconciler" });
    });
    const before = await stateOf(read.id, read.orderId, notificationRowId);
    const moved = await moveRefundUnlessChanged(t.db, read, "SUCCESS", succeeded(), fields, {
      notificationRowId,
      ...settledAs,
    });
    expect(moved).toEqual({ movedId: null, eventWanted: false });
    expect(await stateOf(read.id, read.orderId, notificationRowId)).toEqual(before);
    expect(before.delivery.outcome).toBe("error");
  });

  it("takes the order's lock before the refund's, and holds none of the refund while it waits", async () => {
    const { refund: read, notificationRowId } = await processingWithDelivery();
    const writerA = await holdOrderLock(t.db, read.orderId, async (tx) => {
      await tx.select({ id: refunds.id }).from(refunds).where(eq(refunds.id, read.id)).for("update");
      return "A";
    });
    const writerB = moveRefundUnlessChanged(t.db, read, "SUCCESS", succeeded(), fields, {
      notificationRowId,
      ...settledAs,
    });
    const waiting = await lockWaits(t.sql);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(/with locked_order as/);
    const free = await t.sql.begin((s) => s`select id from refunds where id = ${read.id} for update nowait`);
    expect(free).toHaveLength(1);
    // A only locked the refund and changed nothing: B's move still finds it as read.
    expect(await Promise.all([writerA.release(), writerB])).toEqual(["A", { movedId: read.id, eventWanted: false }]);
  });

  it("moves a refund expected as accepted, keeping its WeChat fields where the report has none", async () => {
    const { refund: read, notificationRowId } = await processingWithDelivery();
    await t.db.update(refunds).set({ refundId: "5030000002", channel: "BALANCE" }).where(eq(refunds.id, read.id));
    // What a callback expects before reading anything: PROCESSING, the notice's amount, no fields of its own.
    const expected = {
      merchantId: read.merchantId,
      outRefundNo: read.outRefundNo,
      amountFen: 300,
      status: "PROCESSING" as const,
    };
    const report = { ...fields, refundId: null, channel: null, userReceivedAccount: null };
    const moved = await moveRefundUnlessChanged(t.db, expected, "SUCCESS", succeeded(), report, {
      notificationRowId,
      ...settledAs,
    });
    expect(moved).toEqual({ movedId: read.id, eventWanted: false });
    const after = await stateOf(read.id, read.orderId, notificationRowId);
    expect(after.refund).toMatchObject({ status: "SUCCESS", refundId: "5030000002", channel: "BALANCE" });
    expect(after.delivery).toMatchObject({ outcome: "applied", refundId: read.id });
  });

  it("writes nothing for another amount, another merchant, or another status than expected", async () => {
    const { refund: read, notificationRowId } = await processingWithDelivery();
    const expectations = [
      { merchantId: read.merchantId, outRefundNo: read.outRefundNo, amountFen: 299, status: "PROCESSING" as const },
      // The same number, asked for by another merchant.
      { merchantId: randomUUID(), outRefundNo: read.outRefundNo, amountFen: 300, status: "PROCESSING" as const },
      { merchantId: read.merchantId, outRefundNo: read.outRefundNo, amountFen: 300, status: "ABNORMAL" as const },
    ];
    const before = await stateOf(read.id, read.orderId, notificationRowId);
    for (const expected of expectations) {
      const moved = await moveRefundUnlessChanged(t.db, expected, "SUCCESS", succeeded(), fields, {
        notificationRowId,
        ...settledAs,
      });
      expect(moved).toEqual({ movedId: null, eventWanted: false });
    }
    expect(await stateOf(read.id, read.orderId, notificationRowId)).toEqual(before);
  });
});
