import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/client";
import { auditLog, merchants, refunds, type Order } from "@/lib/db/schema";
import { moveRefund } from "@/lib/refunds/move";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createPaidOrder } from "@/tests/fixtures/orders";
import { apiRequest, createMerchant, createTestKey, params } from "@/tests/fixtures/merchant-api";

const holder = vi.hoisted(() => ({
  db: undefined as Database | undefined,
  sent: [] as { queue: string; data: { refundId: number; merchantId: string } }[],
}));
vi.mock("@/lib/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/client")>()),
  getDb: () => holder.db!,
}));
vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => ({
    insert: async (jobs: { name: string; data: { refundId: number; merchantId: string } }[]) => {
      for (const job of jobs) holder.sent.push({ queue: job.name, data: job.data });
    },
  }),
}));

const { POST } = await import("./route");
const { GET } = await import("./[outRefundNo]/route");

describe("POST /api/v1/refunds and GET /api/v1/refunds/:outRefundNo", () => {
  let t: TestDatabase;
  let key: string;
  let merchantId: string;
  const refund = (body: unknown, headers: Record<string, string> = {}, k = key) =>
    POST(apiRequest("POST", "/api/v1/refunds", { key: k, body, headers }));
  const get = (outRefundNo: string, k = key) =>
    GET(apiRequest("GET", `/api/v1/refunds/${outRefundNo}`, { key: k }), params({ outRefundNo }));
  const order = (over: Partial<Order> = {}) => createPaidOrder(t.db, { merchantId, totalFen: 10_000, ...over });
  const rowsOf = (o: Order) => t.db.select().from(refunds).where(eq(refunds.orderId, o.id));
  const enqueuedFor = (rows: { id: number }[]) => holder.sent.filter((s) => rows.some((r) => r.id === s.data.refundId));

  beforeAll(async () => {
    t = await createTestDb();
    holder.db = t.db;
    merchantId = (
      await t.db
        .insert(merchants)
        .values({ mchid: "1900000109", appid: "wx8888888888888888", displayName: "Shop" })
        .returning()
    )[0]!.id;
    key = await createTestKey(t.db, merchantId);
  });
  afterAll(() => t.drop());
  beforeEach(() => {
    holder.sent.length = 0;
  });

  it("records the refund, answers 202 with it, queues its submission once, and audits it as the key", async () => {
    const o = await order();
    const response = await refund({
      out_trade_no: o.outTradeNo,
      amount: 1_050,
      reason: "Damaged 破损",
      funds_account: "AVAILABLE",
    });
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body).toEqual({
      out_refund_no: expect.stringMatching(/^R\d{8}[0-9A-Z]{16}$/),
      refund_id: null,
      out_trade_no: o.outTradeNo,
      amount: 1_050,
      status: "PENDING",
      origin: "console",
      reason: "Damaged 破损",
      funds_account: "AVAILABLE",
      created_at: expect.stringMatching(/\+08:00$/),
      finished_at: null,
    });
    const rows = await rowsOf(o);
    expect(rows).toMatchObject([{ outRefundNo: body.out_refund_no, amountFen: 1_050, requestedBy: null }]);
    expect(holder.sent).toEqual([{ queue: "refund-submit", data: { refundId: rows[0]!.id, merchantId } }]);
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.targetId, body.out_refund_no));
    expect(audit).toMatchObject({
      action: "refund.requested",
      actorId: null,
      actorLabel: `api-key:${key.slice(0, 12)}`,
    });
  });

  it("returns a refund with its timeline", async () => {
    const o = await order();
    await refund({ out_trade_no: o.outTradeNo, amount: 300, out_refund_no: "RF_TIMELINE_1" });
    const [row] = await rowsOf(o);
    await t.db.transaction((tx) =>
      moveRefund(tx, row!, "PROCESSING", { type: "accepted", source: "gateway" }, { refundId: "50300000000000000001" }),
    );
    const response = await get("RF_TIMELINE_1");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      out_refund_no: "RF_TIMELINE_1",
      refund_id: "50300000000000000001",
      out_trade_no: o.outTradeNo,
      amount: 300,
      status: "PROCESSING",
      events: [
        {
          at: expect.stringMatching(/\+08:00$/),
          type: "requested",
          source: "system",
          status_from: null,
          status_to: "PENDING",
        },
        {
          at: expect.any(String),
          type: "accepted",
          source: "gateway",
          status_from: "PENDING",
          status_to: "PROCESSING",
        },
      ],
    });
    const missing = await get("RF_NO_SUCH");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "REFUND_NOT_FOUND", message_zh: "找不到该退款。" });
  });

  describe("idempotency", () => {
    it("replays the first answer to a repeated Idempotency-Key: one refund, one submission", async () => {
      const o = await order();
      const headers = { "Idempotency-Key": "a5c1b1f0-idem-0001" };
      const first = await refund({ out_trade_no: o.outTradeNo, amount: 500 }, headers);
      const firstBody = await first.json();
      expect(first.status).toBe(202);
      expect(firstBody.out_refund_no).toMatch(/^A[0-9A-Z]{24}$/);
      for (let i = 0; i < 3; i++) {
        const again = await refund({ amount: 500, out_trade_no: o.outTradeNo }, headers);
        expect(again.status).toBe(202);
        expect(again.headers.get("idempotent-replayed")).toBe("true");
        expect(await again.json()).toEqual(firstBody);
      }
      const rows = await rowsOf(o);
      expect(rows).toHaveLength(1);
      expect(enqueuedFor(rows)).toHaveLength(1);

      const reused = await refund({ out_trade_no: o.outTradeNo, amount: 600 }, headers);
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", message_zh: expect.any(String) });
      expect(await rowsOf(o)).toHaveLength(1);
    });

    it("makes one refund of ten identical requests racing with one Idempotency-Key", async () => {
      const o = await order();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          refund({ out_trade_no: o.outTradeNo, amount: 10_000 }, { "Idempotency-Key": "race-key-1" }),
        ),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
      expect(new Set(bodies.map((b) => b.out_refund_no)).size).toBe(1);
      const rows = await rowsOf(o);
      expect(rows).toHaveLength(1);
      expect(enqueuedFor(rows)).toHaveLength(1);
    });

    it("answers a repeated out_refund_no with its refund, and a different refund under it with 409", async () => {
      const o = await order();
      const body = { out_trade_no: o.outTradeNo, amount: 700, out_refund_no: "RF_REPEAT_1" };
      const first = await refund(body);
      expect(first.status).toBe(202);
      const again = await refund({ ...body, reason: "said differently" });
      expect(again.status).toBe(202);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect((await again.json()).out_refund_no).toBe("RF_REPEAT_1");
      const rows = await rowsOf(o);
      expect(rows).toHaveLength(1);
      expect(enqueuedFor(rows)).toHaveLength(1);

      const otherOrder = await order();
      for (const conflicting of [
        { ...body, amount: 701 },
        { ...body, out_trade_no: otherOrder.outTradeNo },
      ]) {
        const response = await refund(conflicting);
        expect(response.status).toBe(409);
        expect(await response.json()).toMatchObject({ code: "OUT_REFUND_NO_CONFLICT", message_zh: expect.any(String) });
      }
      expect(await rowsOf(otherOrder)).toHaveLength(0);
    });

    it("makes one refund of ten identical full refunds racing with one out_refund_no", async () => {
      const o = await order({ totalFen: 2_000 });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          refund({ out_trade_no: o.outTradeNo, amount: 2_000, out_refund_no: "RF_RACE_FULL" }),
        ),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(bodies.map((b) => b.code)).toEqual(Array(10).fill(undefined));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
      const rows = await rowsOf(o);
      expect(rows).toHaveLength(1);
      expect(enqueuedFor(rows)).toHaveLength(1);
    });

    it("forgets a refused request's Idempotency-Key, so the corrected retry goes through", async () => {
      const o = await order({ totalFen: 1_000 });
      const headers = { "Idempotency-Key": "fix-and-retry" };
      expect((await refund({ out_trade_no: o.outTradeNo, amount: 5_000 }, headers)).status).toBe(422);
      expect((await refund({ out_trade_no: o.outTradeNo, amount: 1_000 }, headers)).status).toBe(202);
      expect(await rowsOf(o)).toHaveLength(1);
    });
  });

  describe("refusals", () => {
    it("answers each broken refund rule with 422 and its code, and records nothing", async () => {
      const full = await order({ totalFen: 1_000, refundedFen: 1_000, refundCount: 1 });
      const capped = await order({ refundCount: 50 });
      const old = await order({ paidAt: new Date(Date.now() - 366 * 86_400_000) });
      const fresh = await order();
      const cases: [Order, number, string][] = [
        [full, 1, "AMOUNT_EXCEEDS_REMAINING"],
        [fresh, 10_001, "AMOUNT_EXCEEDS_REMAINING"],
        [capped, 1, "REFUND_LIMIT_REACHED"],
        [old, 1, "ORDER_TOO_OLD"],
        [fresh, 0, "INVALID_AMOUNT"],
        [fresh, -100, "INVALID_AMOUNT"],
      ];
      for (const [o, amount, code] of cases) {
        const response = await refund({ out_trade_no: o.outTradeNo, amount });
        expect(response.status, code).toBe(422);
        expect(await response.json()).toMatchObject({
          code,
          message: expect.any(String),
          message_zh: expect.any(String),
        });
      }
      for (const o of [full, capped, old, fresh]) expect(await rowsOf(o)).toHaveLength(0);
      expect(holder.sent).toHaveLength(0);
    });

    it("answers 422 MERCHANT_INACTIVE for a disabled merchant's order, records nothing, and still serves its earlier refunds", async () => {
      const shop = await createMerchant(t.db, "Disabled shop");
      const shopKey = await createTestKey(t.db, shop.id);
      const o = await createPaidOrder(t.db, { merchantId: shop.id, totalFen: 10_000 });
      const earlier = { out_trade_no: o.outTradeNo, amount: 300, out_refund_no: "RF_BEFORE_DISABLED" };
      expect((await refund(earlier, {}, shopKey)).status).toBe(202);
      await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, shop.id));
      holder.sent.length = 0;
      const auditsBefore = await t.db.$count(auditLog);

      for (const [body, headers] of [
        [{ out_trade_no: o.outTradeNo, amount: 100 }, {}],
        [{ out_trade_no: o.outTradeNo, amount: 100, out_refund_no: "RF_AFTER_DISABLED" }, {}],
        [{ out_trade_no: o.outTradeNo, amount: 100 }, { "Idempotency-Key": "disabled-shop-1" }],
      ] as const) {
        const response = await refund(body, headers, shopKey);
        expect(response.status).toBe(422);
        expect(await response.json()).toEqual({
          code: "MERCHANT_INACTIVE",
          message: "This merchant is disabled and takes no new refunds.",
          message_zh: "该商户已停用，不能发起新的退款。",
        });
      }
      expect((await rowsOf(o)).map((r) => r.outRefundNo)).toEqual(["RF_BEFORE_DISABLED"]);
      expect(holder.sent).toHaveLength(0);
      expect(await t.db.$count(auditLog)).toBe(auditsBefore);

      // What was recorded before stays the shop's to follow: a repeat is answered with it, and it can be read.
      const repeat = await refund(earlier, {}, shopKey);
      expect(repeat.status).toBe(202);
      expect(repeat.headers.get("idempotent-replayed")).toBe("true");
      expect((await get("RF_BEFORE_DISABLED", shopKey)).status).toBe(200);
    });

    it("answers 404 ORDER_NOT_FOUND for an unknown order", async () => {
      const response = await refund({ out_trade_no: "NO_SUCH_ORDER", amount: 100 });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "ORDER_NOT_FOUND" });
    });

    it("refuses amounts that are not a whole number of fen with 400, before anything else", async () => {
      const o = await order();
      for (const amount of [10.5, 0.01, "100", "1.5", null, 1e20]) {
        const response = await refund({ out_trade_no: o.outTradeNo, amount });
        expect(response.status, String(amount)).toBe(400);
        expect(await response.json()).toMatchObject({
          code: "INVALID_REQUEST",
          field_errors: { amount: [expect.any(String)] },
        });
      }
      expect(await rowsOf(o)).toHaveLength(0);
    });

    it("refuses a reason longer than WeChat's 80 characters and an out_refund_no WeChat would refuse", async () => {
      const o = await order();
      const response = await refund({
        out_trade_no: o.outTradeNo,
        amount: 1,
        reason: "x".repeat(81),
        out_refund_no: "has space",
      });
      expect(await response.json()).toMatchObject({
        code: "INVALID_REQUEST",
        field_errors: { reason: [expect.any(String)], out_refund_no: [expect.any(String)] },
      });
    });
  });

  it("keeps a scoped key to its merchant: other merchants' orders and refunds are not found", async () => {
    const other = await createMerchant(t.db);
    const otherKey = await createTestKey(t.db, other.id);
    const o = await order();
    await refund({ out_trade_no: o.outTradeNo, amount: 100, out_refund_no: "RF_SCOPED_1" });
    const foreign = await refund({ out_trade_no: o.outTradeNo, amount: 100 }, {}, otherKey);
    expect(foreign.status).toBe(404);
    expect((await get("RF_SCOPED_1", otherKey)).status).toBe(404);
    expect((await get("RF_SCOPED_1")).status).toBe(200);
    // An unscoped key sees every merchant.
    expect((await get("RF_SCOPED_1", await createTestKey(t.db))).status).toBe(200);
    expect(await rowsOf(o)).toHaveLength(1);
  });

  it("lets two merchants use the same out_refund_no, which an unscoped key then cannot tell apart", async () => {
    const other = await createMerchant(t.db, "Third merchant");
    const otherKey = await createTestKey(t.db, other.id);
    const ours = await order();
    const theirs = await createPaidOrder(t.db, { merchantId: other.id, totalFen: 10_000 });
    const mine = await refund({ out_trade_no: ours.outTradeNo, amount: 100, out_refund_no: "RF_SHARED_1" });
    const yours = await refund(
      { out_trade_no: theirs.outTradeNo, amount: 250, out_refund_no: "RF_SHARED_1" },
      {},
      otherKey,
    );
    expect([mine.status, yours.status]).toEqual([202, 202]);
    expect(await (await get("RF_SHARED_1")).json()).toMatchObject({ amount: 100, out_trade_no: ours.outTradeNo });
    expect(await (await get("RF_SHARED_1", otherKey)).json()).toMatchObject({ amount: 250 });
    const ambiguous = await get("RF_SHARED_1", await createTestKey(t.db));
    expect(ambiguous.status).toBe(422);
    expect((await ambiguous.json()).code).toBe("MERCHANT_REQUIRED");
  });
});
