import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { merchants, orders, refunds, users } from "../db/schema";
import { ok } from "../result";
import { approveRefund } from "./approval";
import { requestRefund } from "./request";
import { retryRefund } from "./retry";
import { submitRefund } from "./submit";

/** A retry reserves the money again: it passes the same checks as a new refund (#17). */
describe("retrying a failed refund", () => {
  let t: TestDatabase;
  let merchantId: string;
  let operator: { id: string; email: string };
  let approver: { id: string; email: string };

  beforeAll(async () => {
    t = await createTestDb();
    // A merchant of its own, its approval threshold ¥1,000.00.
    merchantId = (await createMerchant(t.db, "Retry shop")).id;
    await t.db.update(merchants).set({ approvalThresholdFen: 100_000 }).where(eq(merchants.id, merchantId));
    operator = await createUser(t.db, "operator", "retry-operator@example.com", merchantId);
    approver = await createUser(t.db, "approver", "retry-approver@example.com", merchantId);
  });
  afterAll(() => t.drop());

  const as = (user: { id: string; email: string }) => ({
    merchantId,
    actor: { id: user.id, label: user.email },
    userId: user.id,
    orderIntervalMs: 0,
  });

  /** A refund of `amountFen` that WeChat refused with NOT_ENOUGH: FAILED, its amount released. */
  async function failedRefund(amountFen: number) {
    const order = await createPaidOrder(t.db, { merchantId, totalFen: 500_000 });
    // Approved as part of something larger, so it went out whatever its size.
    const context = { ...as(operator), preApproved: { by: approver.id } };
    const requested = await requestRefund(t.db, { merchantId, orderId: order.id, amountFen, reason: "x" }, context);
    if (!requested.ok) throw new Error(requested.error.code);
    const gateway = new ScriptedGateway().script({ code: "NOT_ENOUGH", status: 403 });
    await submitRefund(t.db, async () => ok(gateway), requested.value.id);
    const [row] = await t.db.select().from(refunds).where(eq(refunds.id, requested.value.id));
    expect(row!.status).toBe("FAILED");
    return row!;
  }
  const orderOf = async (orderId: number) => (await t.db.select().from(orders).where(eq(orders.id, orderId)))[0]!;

  it("above the approval threshold waits for a second person, who is not the retrier", async () => {
    const refund = await failedRefund(150_000);
    const retried = await retryRefund(t.db, refund.outRefundNo, as(operator));
    expect(retried).toMatchObject({
      ok: true,
      value: { status: "AWAITING_APPROVAL", requestedBy: operator.id, approvedBy: null, scheduledAt: null },
    });
    expect(await orderOf(refund.orderId)).toMatchObject({ inFlightFen: 150_000 });
    // The retrier may not approve it (were they an approver too), whoever asked first.
    const selfApproval = await approveRefund(t.db, refund.outRefundNo, { ...as(operator), role: "approver" });
    expect(selfApproval).toMatchObject({ ok: false, error: { code: "SELF_APPROVAL" } });
    expect(await approveRefund(t.db, refund.outRefundNo, { ...as(approver), role: "approver" })).toMatchObject({
      ok: true,
      value: { status: "PENDING", approvedBy: approver.id },
    });
  });

  it("below the threshold goes back to PENDING at once", async () => {
    const refund = await failedRefund(5_000);
    expect(await retryRefund(t.db, refund.outRefundNo, as(operator))).toMatchObject({
      ok: true,
      value: { status: "PENDING", approvedBy: approver.id },
    });
  });

  it("counts against the retrier's daily limit, and changes nothing when over it", async () => {
    const refund = await failedRefund(6_000);
    await t.db.update(users).set({ dailyRefundLimitFen: 5_000 }).where(eq(users.id, operator.id));
    const before = await orderOf(refund.orderId);
    expect(await retryRefund(t.db, refund.outRefundNo, as(operator))).toMatchObject({
      ok: false,
      error: { code: "DAILY_LIMIT_EXCEEDED" },
    });
    expect(await orderOf(refund.orderId)).toEqual(before);
    expect((await t.db.select().from(refunds).where(eq(refunds.id, refund.id)))[0]!.status).toBe("FAILED");
    await t.db.update(users).set({ dailyRefundLimitFen: null }).where(eq(users.id, operator.id));
  });

  it("is refused for a disabled merchant, like a new refund", async () => {
    const refund = await failedRefund(5_000);
    await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, merchantId));
    expect(await retryRefund(t.db, refund.outRefundNo, as(operator))).toMatchObject({
      ok: false,
      error: { code: "MERCHANT_INACTIVE" },
    });
    await t.db.update(merchants).set({ active: true }).where(eq(merchants.id, merchantId));
  });
});
