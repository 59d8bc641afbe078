import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { holdOrderLock, lockWaits } from "../../tests/fixtures/locks";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { orders, refundEvents, refunds, type Refund } from "../db/schema";
import { claimSubmission } from "./claim-submission";
import { requestRefund } from "./request";

const LEASE_MS = 30_000;

describe("claimSubmission", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  /** A PENDING refund of 300 fen (its order paid 1,000 fen and refunded `earlier` times before), due now. */
  async function pendingRefund(earlier = 0): Promise<Refund> {
    const order = await createPaidOrder(t.db, { totalFen: 1000 });
    const context = { actor: { id: null, label: "test" }, userId: null, orderIntervalMs: 0 };
    let requested;
    for (let i = 0; i <= earlier; i++) {
      requested = await requestRefund(
        t.db,
        { merchantId: order.merchantId, orderId: order.id, amountFen: 300, reason: "claim" },
        context,
      );
      if (!requested.ok) throw new Error(requested.error.code);
    }
    return requested!.value;
  }
  const stateOf = async (refund: Refund) => ({
    refund: (await t.db.select().from(refunds).where(eq(refunds.id, refund.id)))[0]!,
    order: (await t.db.select().from(orders).where(eq(orders.id, refund.orderId)))[0]!,
    events: await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, refund.id)),
  });

  it("marks the attempt with its lease and its event, returning what the submission sends", async () => {
    const refund = await pendingRefund();
    const at = new Date();
    const claimed = await claimSubmission(t.db, refund, at, LEASE_MS);
    const [order] = await t.db.select().from(orders).where(eq(orders.id, refund.orderId));
    expect(claimed).toEqual({
      refund: {
        id: refund.id,
        merchantId: refund.merchantId,
        outRefundNo: refund.outRefundNo,
        amountFen: 300,
        reason: "claim",
        status: "PENDING",
        fundsAccount: null,
        refundId: null,
        channel: null,
        userReceivedAccount: null,
        attemptCount: 0,
        outcomeUnknown: false,
      },
      order: { transactionId: order!.transactionId, outTradeNo: order!.outTradeNo, totalFen: 1000 },
      attempt: 1,
    });
    const after = await stateOf(refund);
    expect(after.refund).toMatchObject({
      status: "PENDING",
      attemptCount: 1,
      outcomeUnknown: true,
      submittedAt: at,
      submittingUntil: new Date(at.getTime() + LEASE_MS),
      updatedAt: at,
    });
    // The order's sums do not move: the amount was reserved when the refund was recorded.
    expect(after.order).toMatchObject({ inFlightFen: 300, refundedFen: 0, refundCount: 1 });
    expect(after.events.at(-1)).toMatchObject({
      type: "submitted",
      source: "system",
      statusFrom: null,
      statusTo: null,
      payload: { attempt: 1 },
    });
  });

  // Each case is one the submission's transaction must decide (lib/refunds/submit.ts): the statement writes nothing.
  const cases: [string, (refund: Refund) => Promise<unknown>, earlier?: number][] = [
    ["not due yet", (r) => setRefund(r, { scheduledAt: new Date(Date.now() + 60_000) })],
    ["an earlier attempt's outcome unknown", (r) => setRefund(r, { outcomeUnknown: true })],
    ["another worker's lease", (r) => setRefund(r, { submittingUntil: new Date(Date.now() + 10_000) })],
    ["no longer PENDING", (r) => setRefund(r, { status: "FAILED", finishedAt: new Date() })],
    ["its order's second refund (spacing to check)", async () => {}, 1],
  ];
  const setRefund = (refund: Refund, fields: Partial<Refund>) =>
    t.db.update(refunds).set(fields).where(eq(refunds.id, refund.id));

  it.each(cases)("marks nothing when %s", async (_, arrange, earlier) => {
    const refund = await pendingRefund(earlier);
    await arrange(refund);
    const before = await stateOf(refund);
    expect(await claimSubmission(t.db, refund, new Date(), LEASE_MS)).toBeNull();
    expect(await stateOf(refund)).toEqual(before);
  });

  it("marks nothing when the refund is named with another merchant", async () => {
    const refund = await pendingRefund();
    const before = await stateOf(refund);
    expect(await claimSubmission(t.db, { ...refund, merchantId: randomUUID() }, new Date(), LEASE_MS)).toBeNull();
    expect(await stateOf(refund)).toEqual(before);
  });

  it("claims a refund once when two workers try at the same moment", async () => {
    const refund = await pendingRefund();
    const at = new Date();
    const claims = await Promise.all([1, 2].map(() => claimSubmission(t.db, refund, at, LEASE_MS)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const after = await stateOf(refund);
    expect(after.refund.attemptCount).toBe(1);
    expect(after.events.filter((e) => e.type === "submitted")).toHaveLength(1);
  });

  it("takes the order's lock before the refund's, and holds none of the refund while it waits", async () => {
    const refund = await pendingRefund();
    const writer = await holdOrderLock(t.db, refund.orderId);
    const claiming = claimSubmission(t.db, refund, new Date(), LEASE_MS);
    const waiting = await lockWaits(t.sql);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(/claimed as \(/);
    const free = await t.sql.begin((s) => s`select id from refunds where id = ${refund.id} for update nowait`);
    expect(free).toHaveLength(1);
    await writer.release();
    expect(await claiming).toMatchObject({ attempt: 1 });
  });
});
