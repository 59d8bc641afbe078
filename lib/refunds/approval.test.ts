import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { auditLog, merchants, orders, refundEvents, refunds, type User } from "../db/schema";
import { ok } from "../result";
import { approveRefund, rejectRefund, type ApprovalContext } from "./approval";
import { requestRefund, type RequestContext } from "./request";
import { submitRefund } from "./submit";
import { translate } from "../translate";

describe("maker-checker approvals", () => {
  let t: TestDatabase;
  let operator: User;
  let approver: User;
  let requesting: RequestContext;
  let approving: ApprovalContext;

  beforeAll(async () => {
    t = await createTestDb();
    operator = await createUser(t.db, "operator");
    approver = await createUser(t.db, "approver");
    requesting = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 60_000 };
    // The first order creates the test merchant; its threshold is the default ¥1,000.00.
    const { merchantId } = await createPaidOrder(t.db);
    approving = {
      merchantId,
      actor: { id: approver.id, label: approver.email },
      userId: approver.id,
      role: "approver",
      orderIntervalMs: 60_000,
    };
  });
  afterAll(() => t.drop());

  async function orderRow(id: number) {
    const [row] = await t.db.select().from(orders).where(eq(orders.id, id));
    return row!;
  }
  async function request(orderId: number, amountFen: number, context = requesting) {
    const { merchantId } = await orderRow(orderId);
    const result = await requestRefund(t.db, { merchantId, orderId, amountFen, reason: "big" }, context);
    if (!result.ok) throw new Error(result.error.code);
    return result.value;
  }

  it("records a refund above the threshold as AWAITING_APPROVAL, reserved but not scheduled", async () => {
    const [merchant] = await t.db.select().from(merchants);
    expect(merchant!.approvalThresholdFen).toBe(100_000);
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const refund = await request(order.id, 150_000);
    expect(refund).toMatchObject({ status: "AWAITING_APPROVAL", scheduledAt: null, approvedBy: null });
    expect(await orderRow(order.id)).toMatchObject({ inFlightFen: 150_000, refundCount: 1 });
    // Nothing is sent while it waits, even if a submission job were queued by mistake.
    const gateway = new ScriptedGateway();
    expect(await submitRefund(t.db, async () => ok(gateway), refund.id)).toEqual({
      kind: "settled",
      status: "AWAITING_APPROVAL",
    });
    expect(gateway.calls).toEqual([]);
  });

  it("sends small refunds straight on, until the order's refunds together cross the threshold", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 200_000 });
    const first = await request(order.id, 60_000);
    const second = await request(order.id, 40_000); // ¥1,000.00 in all: not above
    const third = await request(order.id, 1); // one fen more crosses it
    expect([first.status, second.status, third.status]).toEqual(["PENDING", "PENDING", "AWAITING_APPROVAL"]);
  });

  it("a refund marked pre-approved (a batch approved as a whole) skips the threshold and names its approver", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const refund = await request(order.id, 250_000, { ...requesting, preApproved: { by: approver.id } });
    expect(refund).toMatchObject({ status: "PENDING", approvedBy: approver.id });
    expect(refund.approvedAt).toBeInstanceOf(Date);
  });

  it("refuses self-approval, also for an approver who requested the refund", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const refund = await request(order.id, 150_000, { ...requesting, actor: approving.actor, userId: approver.id });
    const result = await approveRefund(t.db, refund.outRefundNo, approving);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "SELF_APPROVAL", message: { key: "outcomes.refunds.approval.SELF_APPROVAL" } },
    });
    expect(result.ok ? "" : translate(result.error.message, "zh-CN")).toContain("另一位审批人");
    const [after] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
    expect(after!.status).toBe("AWAITING_APPROVAL");
  });

  it("refuses roles below approver, and refunds that are not waiting", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const waiting = await request(order.id, 150_000);
    expect(await approveRefund(t.db, waiting.outRefundNo, { ...approving, role: "operator" })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    const small = await request((await createPaidOrder(t.db)).id, 100);
    expect(await approveRefund(t.db, small.outRefundNo, approving)).toMatchObject({
      ok: false,
      error: { code: "NOT_AWAITING_APPROVAL" },
    });
    expect(await approveRefund(t.db, "NO_SUCH_REFUND", approving)).toMatchObject({
      ok: false,
      error: { code: "REFUND_NOT_FOUND" },
    });
  });

  it("approval moves the refund to PENDING, paced after the order's last submission, and it is then sent", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const now = new Date();
    const small = await request(order.id, 1_000, { ...requesting, now });
    const big = await request(order.id, 150_000, { ...requesting, now });
    const approvedAt = new Date(now.getTime() + 10_000);
    const result = await approveRefund(t.db, big.outRefundNo, { ...approving, now: approvedAt });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ status: "PENDING", approvedBy: approver.id, approvedAt });
    expect(result.value.scheduledAt!.getTime()).toBe(small.scheduledAt!.getTime() + 60_000);
    expect(await orderRow(order.id)).toMatchObject({ inFlightFen: 151_000, refundCount: 2 });

    const events = await t.db
      .select()
      .from(refundEvents)
      .where(eq(refundEvents.refundId, big.id))
      .orderBy(refundEvents.id);
    expect(events.map((e) => [e.type, e.actorId, e.statusFrom, e.statusTo])).toEqual([
      ["requested", operator.id, null, "AWAITING_APPROVAL"],
      ["approved", approver.id, "AWAITING_APPROVAL", "PENDING"],
    ]);
    const gateway = new ScriptedGateway();
    const sent = await submitRefund(t.db, async () => ok(gateway), big.id, {
      now: () => new Date(result.value.scheduledAt!.getTime() + 1),
    });
    expect(sent).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(gateway.calls).toEqual([`apply ${big.outRefundNo}`]);
    // A second decision finds nothing to decide.
    expect(await approveRefund(t.db, big.outRefundNo, approving)).toMatchObject({
      ok: false,
      error: { code: "NOT_AWAITING_APPROVAL" },
    });
  });

  it("rejection needs a note, releases the amount and the order's place, and is final", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const refund = await request(order.id, 250_000);
    expect(await orderRow(order.id)).toMatchObject({ inFlightFen: 250_000, refundCount: 1 });
    expect(await rejectRefund(t.db, refund.outRefundNo, "   ", approving)).toMatchObject({
      ok: false,
      error: { code: "NOTE_REQUIRED" },
    });

    const result = await rejectRefund(t.db, refund.outRefundNo, "Customer keeps the goods", approving);
    expect(result).toMatchObject({ ok: true, value: { status: "REJECTED" } });
    const [event] = await t.db
      .select()
      .from(refundEvents)
      .where(eq(refundEvents.refundId, refund.id))
      .orderBy(desc(refundEvents.id))
      .limit(1);
    // Its own event type: "rejected" is WeChat refusing a refund.
    expect(event).toMatchObject({
      type: "rejected_by_approver",
      actorId: approver.id,
      statusTo: "REJECTED",
      payload: { note: "Customer keeps the goods" },
    });
    // Remaining is restored and the place released: WeChat counts only the refunds it was sent.
    expect(await orderRow(order.id)).toMatchObject({ inFlightFen: 0, refundedFen: 0, refundCount: 0 });
    expect(await approveRefund(t.db, refund.outRefundNo, approving)).toMatchObject({
      ok: false,
      error: { code: "NOT_AWAITING_APPROVAL" },
    });
    // The whole amount may be requested again.
    expect((await request(order.id, 300_000)).status).toBe("AWAITING_APPROVAL");
  });

  it("writes an audit row for request, approval and rejection, with before and after", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 500_000 });
    const approved = await request(order.id, 150_000);
    const rejected = await request(order.id, 150_000);
    await approveRefund(t.db, approved.outRefundNo, approving);
    await rejectRefund(t.db, rejected.outRefundNo, "duplicate", approving);
    const rows = async (id: string) =>
      (
        await t.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.targetType, "refund"), eq(auditLog.targetId, id)))
          .orderBy(auditLog.id)
      ).map((r) => ({
        action: r.action,
        actorId: r.actorId,
        details: r.details,
      }));
    expect(await rows(approved.outRefundNo)).toMatchObject([
      {
        action: "refund.requested",
        actorId: operator.id,
        details: {
          approvalReason: "AMOUNT_ABOVE_THRESHOLD",
          thresholdFen: 100_000,
          after: { status: "AWAITING_APPROVAL" },
        },
      },
      {
        action: "refund.approved",
        actorId: approver.id,
        details: { before: { status: "AWAITING_APPROVAL" }, after: { status: "PENDING", approvedBy: approver.id } },
      },
    ]);
    expect(await rows(rejected.outRefundNo)).toMatchObject([
      { action: "refund.requested" },
      {
        action: "refund.rejected",
        actorId: approver.id,
        details: { note: "duplicate", before: { status: "AWAITING_APPROVAL" }, after: { status: "REJECTED" } },
      },
    ]);
  });

  it("two approvers deciding at once: exactly one decision wins", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const refund = await request(order.id, 150_000);
    const other = await createUser(t.db, "admin");
    const [a, b] = await Promise.all([
      approveRefund(t.db, refund.outRefundNo, approving),
      rejectRefund(t.db, refund.outRefundNo, "no", {
        ...approving,
        actor: { id: other.id, label: other.email },
        userId: other.id,
        role: "admin",
      }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.inFlightFen).toBe(a.ok ? 150_000 : 0);
  });
});
