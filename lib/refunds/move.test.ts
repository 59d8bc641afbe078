import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { holdOrderLock, lockWaits } from "../../tests/fixtures/locks";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { orders, refunds } from "../db/schema";
import { lockRefund, moveRefund } from "./move";
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
});
