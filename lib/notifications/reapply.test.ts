import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { post, processingRefund, refundResource, testMerchants, v3Callback } from "../../tests/fixtures/notifications";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { auditLog, notifications, refundEvents, refunds } from "../db/schema";
import type { RequestContext } from "../refunds/request";
import { reapplyNotification } from "./reapply";
import { receiveRefundNotification } from "./receive";
import { isAppliedOnceViolation, settleNotification } from "./record";

describe("reapplyNotification", () => {
  let t: TestDatabase;
  let context: RequestContext;
  const admin = { id: null, label: "admin@example.com" };
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    ({ merchantId } = await createPaidOrder(t.db));
    const operator = await createUser(t.db, "operator");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(() => t.drop());

  const options = () => ({ merchants: testMerchants(t.db) });
  /** A SUCCESS callback for a refund that does not exist yet; returns its stored row. */
  async function earlyCallback(outRefundNo: string, id = randomUUID()) {
    const callback = v3Callback(
      refundResource({ outRefundNo, refundId: null, amountFen: 600 }, "SUCCESS"),
      "REFUND.SUCCESS",
      { id },
    );
    expect(
      (await receiveRefundNotification(t.db, post("/api/notify/refund", callback.body, callback.headers), options()))
        .status,
    ).toBe(404);
    const [row] = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.notificationId, id))
      .orderBy(notifications.id);
    return row!;
  }
  const rowById = async (id: number) => (await t.db.select().from(notifications).where(eq(notifications.id, id)))[0]!;

  it("applies a stored unmatched notification once its refund exists, with an audit entry", async () => {
    const row = await earlyCallback("R-EARLY-1");
    const refund = await processingRefund(t.db, context, { outRefundNo: "R-EARLY-1" });
    const result = await reapplyNotification(t.db, merchantId, row.id, admin, options());
    expect(result).toEqual({ ok: true, value: { outcome: "applied", refundId: refund.id } });
    const [after] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
    expect(after!.status).toBe("SUCCESS");
    // The row keeps the answer WeChat actually got.
    expect(await rowById(row.id)).toMatchObject({ outcome: "applied", refundId: refund.id, responseStatus: 404 });
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "notification.reapplied"));
    expect(audit).toMatchObject([
      {
        actorLabel: "admin@example.com",
        targetType: "notification",
        targetId: String(row.id),
        details: { outRefundNo: "R-EARLY-1", outcome: "applied" },
      },
    ]);

    const again = await reapplyNotification(t.db, merchantId, row.id, admin, options());
    expect(again).toMatchObject({ ok: false, error: { code: "NOT_REAPPLICABLE" } });
  });

  it("refuses while the refund still does not exist, leaving the row unmatched", async () => {
    const row = await earlyCallback("R-EARLY-2");
    expect(await reapplyNotification(t.db, merchantId, row.id, admin, options())).toMatchObject({
      ok: false,
      error: { code: "REFUND_NOT_FOUND" },
    });
    expect(await rowById(row.id)).toMatchObject({ outcome: "unmatched", refundId: null });
  });

  it("records a duplicate when WeChat's own re-delivery was applied first", async () => {
    const id = randomUUID();
    const row = await earlyCallback("R-EARLY-3", id);
    const refund = await processingRefund(t.db, context, { outRefundNo: "R-EARLY-3" });
    const resent = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { id });
    expect(
      (await receiveRefundNotification(t.db, post("/api/notify/refund", resent.body, resent.headers), options()))
        .status,
    ).toBe(204);
    expect(await reapplyNotification(t.db, merchantId, row.id, admin, options())).toMatchObject({
      ok: true,
      value: { outcome: "duplicate" },
    });
    const events = await t.db
      .select()
      .from(refundEvents)
      .where(and(eq(refundEvents.refundId, refund.id), eq(refundEvents.source, "notify")));
    expect(events).toHaveLength(1);
  });

  it("finds no rejected (merchant-less) or unknown notification, nor another merchant's", async () => {
    const [rejected] = await t.db
      .insert(notifications)
      .values({
        protocol: "v3",
        verification: "rejected",
        headers: {},
        rawBody: "{}",
        outcome: "rejected",
        rejectionCode: "SIGNATURE_INVALID",
      })
      .returning();
    expect(await reapplyNotification(t.db, merchantId, rejected!.id, admin, options())).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    const early = await earlyCallback("R-OTHER-MERCHANT");
    const other = await createMerchant(t.db, "Other shop");
    expect(await reapplyNotification(t.db, other.id, early.id, admin, options())).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await reapplyNotification(t.db, merchantId, 999_999, admin, options())).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});

describe("notifications_applied_once", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("refuses a second applied row for one notification id, recognisably", async () => {
    const base = {
      protocol: "v3" as const,
      verification: "verified" as const,
      headers: {},
      rawBody: "{}",
      notificationId: "N-1",
    };
    const [first, second] = await t.db
      .insert(notifications)
      .values([
        { ...base, outcome: "applied" },
        { ...base, outcome: "error" },
      ])
      .returning();
    const row = { id: second!.id, protocol: "v3" as const, recordAnswer: true };
    const failure = await settleNotification(t.db, row, { outcome: "applied" }).catch((e: unknown) => e);
    expect(isAppliedOnceViolation(failure)).toBe(true);
    expect(first!.outcome).toBe("applied");
    const other = await t.db.execute("select 1/0").catch((e: unknown) => e);
    expect(isAppliedOnceViolation(other)).toBe(false);
  });
});
