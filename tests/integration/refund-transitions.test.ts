import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refundEvents, refunds, refundStatus, type Order, type RefundStatus } from "../../lib/db/schema";
import { moveRefund, RefundTransitionError } from "../../lib/refunds/move";
import { canTransition } from "../../lib/refunds/transitions";
import { createTestDb, type TestDatabase } from "../db";
import { createPaidOrder } from "../fixtures/orders";

const STATUSES = refundStatus.enumValues;
const PAIRS = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));

/**
 * The refund state machine is kept twice, by design: in code (lib/refunds/transitions.ts, checked by moveRefund) and
 * by the database (a trigger over refund_status_transitions), so that no path — a forgotten check, a hand-written
 * statement, a single-statement hot path — can move a refund where the rules say it cannot go.
 */
describe("refund status transitions", () => {
  let t: TestDatabase;
  let order: Order;
  let sequence = 0;

  const refundIn = async (status: RefundStatus) => {
    const [row] = await t.db
      .insert(refunds)
      .values({
        orderId: order.id,
        merchantId: order.merchantId,
        outRefundNo: `RT${++sequence}`,
        amountFen: 1,
        status,
      })
      .returning();
    return row!;
  };

  beforeAll(async () => {
    t = await createTestDb();
    order = await createPaidOrder(t.db, { totalFen: 100_000 });
  });
  afterAll(() => t.drop());

  it("the database's table of allowed moves is the code's, pair for pair", async () => {
    const rows = await t.sql<{ from: RefundStatus; to: RefundStatus }[]>`
      select from_status as "from", to_status as "to" from refund_status_transitions order by 1, 2`;
    const inDatabase = rows.map((r) => `${r.from}→${r.to}`).sort();
    const inCode = PAIRS.filter(([from, to]) => canTransition(from, to))
      .map(([from, to]) => `${from}→${to}`)
      .sort();
    expect(inDatabase).toEqual(inCode);
    expect(inCode).toHaveLength(15);
  });

  it.each(PAIRS)("%s → %s: the database allows it exactly when the state machine does", async (from, to) => {
    const refund = await refundIn(from);
    const attempt = t.db.update(refunds).set({ status: to }).where(eq(refunds.id, refund.id));
    if (canTransition(from, to)) {
      await attempt;
    } else {
      await expect(attempt).rejects.toMatchObject({
        cause: expect.objectContaining({ code: "23514", constraint_name: "refunds_status_transition" }),
      });
    }
    const [after] = await t.db.select({ status: refunds.status }).from(refunds).where(eq(refunds.id, refund.id));
    expect(after!.status).toBe(canTransition(from, to) ? to : from);
  });

  it("refuses the same moves in code before any statement: nothing written, no event", async () => {
    const refund = await refundIn("SUCCESS");
    const move = t.db.transaction((tx) =>
      moveRefund(tx, refund, "PENDING", { type: "retry_requested", source: "operator" }),
    );
    await expect(move).rejects.toBeInstanceOf(RefundTransitionError);
    const events = await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, refund.id));
    expect(events).toEqual([]);
  });

  it("leaves updates that do not change the status alone", async () => {
    const refund = await refundIn("SUCCESS");
    await t.db
      .update(refunds)
      .set({ status: "SUCCESS", lastErrorCode: null, updatedAt: sql`now()` })
      .where(eq(refunds.id, refund.id));
    const [after] = await t.db.select({ status: refunds.status }).from(refunds).where(eq(refunds.id, refund.id));
    expect(after!.status).toBe("SUCCESS");
  });
});
