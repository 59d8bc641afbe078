import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { holdOrderLock, lockWaits } from "../../tests/fixtures/locks";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { insertNotification } from "../notifications/record";
import { notifications, orders, refundEvents, refunds } from "../db/schema";
import { lockRefund, moveRefund, moveRefundUnlessChanged } from "./move";
import { requestRefund } from "./request";

describe("lockRefund and moveRefund", () => {
  let t: TestDatabase;
  let refund: { id: number; outRefundNo: string; orderId: number; merchantId: string };

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    const order = await createPaidOrder(t.db, { totalFen: 1000 });
    const requested = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 400, reason: "test" },
      { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 },
    );
    if (!requested.ok) throw new Error(requested.error.code);
    refund = requested.value;
  });
  afterAll(() => t.drop());

  it("takes the order's lock before the refund's, so it never deadlocks with a writer of the same order", async () => {
    // Writer A holds the order, then wants the refund. Were the refund locked first, A and B would deadlock (40P01).
    const writerA = await holdOrderLock(t.db, refund.orderId, async (tx) => {
      await tx.select({ id: refunds.id }).from(refunds).where(eq(refunds.id, refund.id)).for("update");
      return "A";
    });
    const writerB = t.db.transaction(async (tx) => {
      const locked = await lockRefund(tx, { outRefundNo: refund.outRefundNo, merchantId: refund.merchantId });
      return locked?.id;
    });
    // B waits, and what it waits on is the order: it asked for the order's lock before the refund's.
    const waiting = await lockWaits(t.sql);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(/from "orders" .*for update/);
    // …and holds nothing of the refund meanwhile: a third session takes the refund's lock without waiting.
    const free = await t.sql.begin((s) => s`select id from refunds where id = ${refund.id} for update nowait`);
    expect(free).toHaveLength(1);
    // A goes on to the refund row, which B never took: both finish.
    expect(await Promise.all([writerA.release(), writerB])).toEqual(["A", refund.id]);
  });

  it("finds nothing, and locks nothing, for an unknown refund", async () => {
    expect(
      await t.db.transaction((tx) => lockRefund(tx, { outRefundNo: "NO-SUCH-REFUND", merchantId: refund.merchantId })),
    ).toBeUndefined();
  });

  it("moves status, the order's sums and the timeline together, or not at all", async () => {
    const [before] = await t.db.select().from(orders).where(eq(orders.id, refund.orderId));
    // PENDING → SUCCESS moves 400 fen from in flight to refunded; a CHECK refusing the order's update undoes all.
    await t.sql`alter table orders add constraint test_no_refunded check (refunded_fen = 0) not valid`;
    await expect(
      t.db.transaction(async (tx) => {
        const locked = (await lockRefund(tx, { id: refund.id }))!;
        await moveRefund(tx, locked, "SUCCESS", { type: "succeeded", source: "notify" });
      }),
    ).rejects.toThrow();
    await t.sql`alter table orders drop constraint test_no_refunded`;
    const [after] = await t.db.select().from(orders).where(eq(orders.id, refund.orderId));
    const [row] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
    expect(after).toEqual(before);
    expect(row!.status).toBe("PENDING");

    await t.db.transaction(async (tx) => {
      const locked = (await lockRefund(tx, { id: refund.id }))!;
      await moveRefund(tx, locked, "SUCCESS", { type: "succeeded", source: "notify" });
    });
    const [moved] = await t.db.select().from(orders).where(eq(orders.id, refund.orderId));
    expect(moved).toMatchObject({ refundedFen: before!.refundedFen + 400, inFlightFen: before!.inFlightFen - 400 });
  });

  describe("moveRefundUnlessChanged", () => {
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
      expect(moved).toBe(true);
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
      expect(moved).toBe(false);
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
      expect(await Promise.all([writerA.release(), writerB])).toEqual(["A", true]);
    });
  });
});
