import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/client";
import { auditLog, merchants, orders } from "@/lib/db/schema";
import { requestRefund } from "@/lib/refunds/request";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createPaidOrder } from "@/tests/fixtures/orders";
import { apiRequest, createMerchant, createTestKey, params } from "@/tests/fixtures/merchant-api";

const holder = vi.hoisted(() => ({ db: undefined as Database | undefined }));
vi.mock("@/lib/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/client")>()),
  getDb: () => holder.db!,
}));
vi.mock("@/lib/jobs/boss", () => ({ getBoss: async () => ({ send: async () => "job", insert: async () => {} }) }));

const { POST } = await import("./route");
const { GET } = await import("./[outTradeNo]/route");

const paidOrder = (over: Record<string, unknown> = {}) => ({
  out_trade_no: "SHOP20261123001",
  transaction_id: "4200001234202611230000000001",
  total: 12_345,
  currency: "CNY",
  paid_at: "2026-11-23T10:00:00+08:00",
  description: "Teapot 茶壶",
  payer_openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
  ...over,
});

describe("POST /api/v1/orders and GET /api/v1/orders/:outTradeNo", () => {
  let t: TestDatabase;
  let key: string;
  let merchantId: string;
  const record = (body: unknown, k = key) => POST(apiRequest("POST", "/api/v1/orders", { key: k, body }));
  const get = (outTradeNo: string, k = key) =>
    GET(apiRequest("GET", `/api/v1/orders/${outTradeNo}`, { key: k }), params({ outTradeNo }));

  beforeAll(async () => {
    t = await createTestDb();
    holder.db = t.db;
    merchantId = (
      await t.db
        .insert(merchants)
        .values({ mchid: "1900000109", appid: "wx8888888888888888", displayName: "Only merchant" })
        .returning()
    )[0]!.id;
    key = await createTestKey(t.db);
  });
  afterAll(() => t.drop());

  it("records a paid order with 201 and answers the same body again with 200 and the same order", async () => {
    const created = await record(paidOrder());
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toEqual({
      out_trade_no: "SHOP20261123001",
      transaction_id: "4200001234202611230000000001",
      description: "Teapot 茶壶",
      currency: "CNY",
      total: 12_345,
      refunded: 0,
      in_flight: 0,
      remaining: 12_345,
      refund_count: 0,
      paid_at: "2026-11-23T10:00:00.000+08:00",
    });
    const again = await record(paidOrder({ paid_at: "2026-11-23T02:00:00Z" }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
    expect(await t.db.$count(orders, eq(orders.outTradeNo, "SHOP20261123001"))).toBe(1);
    const [row] = await t.db.select().from(orders).where(eq(orders.outTradeNo, "SHOP20261123001"));
    expect(row).toMatchObject({ merchantId, payerOpenid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" });
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "order.recorded"));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorLabel).toBe(`api-key:${key.slice(0, 12)}`);
  });

  it("records one order when the same body arrives ten times at once", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => record(paidOrder({ out_trade_no: "SHOP_RACE_01" }))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await t.db.$count(orders, eq(orders.outTradeNo, "SHOP_RACE_01"))).toBe(1);
  });

  it("answers 409 ORDER_CONFLICT for different details under a known out_trade_no, and changes nothing", async () => {
    const response = await record(paidOrder({ total: 99_999, transaction_id: "4200009999" }));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      code: "ORDER_CONFLICT",
      message: expect.stringContaining("transaction_id, total"),
      message_zh: expect.any(String),
      conflicting_fields: ["transaction_id", "total"],
    });
    const [row] = await t.db.select().from(orders).where(eq(orders.outTradeNo, "SHOP20261123001"));
    expect(row!.totalFen).toBe(12_345);
  });

  it("refuses totals that are not a positive whole number of fen, and other malformed fields", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ total: 123.45 }, "total"],
      [{ total: "12345" }, "total"],
      [{ total: "1.5" }, "total"],
      [{ total: 0 }, "total"],
      [{ total: -100 }, "total"],
      [{ total: 2 ** 53 }, "total"],
      [{ currency: "USD" }, "currency"],
      [{ paid_at: "2026-11-23T10:00:00" }, "paid_at"],
      [{ paid_at: new Date(Date.now() + 3_600_000).toISOString() }, "paid_at"],
      [{ out_trade_no: "abc" }, "out_trade_no"],
      [{ out_trade_no: "has space 123" }, "out_trade_no"],
      [{ transaction_id: undefined }, "transaction_id"],
      [{ description: "x".repeat(128) }, "description"],
      [{ refunded: 0 }, "refunded"],
    ];
    for (const [over, field] of cases) {
      const response = await record(paidOrder({ out_trade_no: "SHOP_INVALID_1", ...over }));
      expect(response.status, JSON.stringify(over)).toBe(400);
      const body = await response.json();
      expect(body.code).toBe("INVALID_REQUEST");
      expect(Object.keys(body.field_errors)).toEqual([field]);
    }
    expect(await t.db.$count(orders, eq(orders.outTradeNo, "SHOP_INVALID_1"))).toBe(0);
  });

  it("returns an order with its sums and refunds, newest first", async () => {
    const order = await createPaidOrder(t.db, { merchantId, outTradeNo: "SHOP_WITH_REFUNDS", totalFen: 10_000 });
    const context = { actor: { id: null, label: "test" }, userId: null, orderIntervalMs: 0 };
    await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 1_000, reason: "first", outRefundNo: "RF_ORDER_1" },
      context,
    );
    await requestRefund(
      t.db,
      {
        merchantId: order.merchantId,
        orderId: order.id,
        amountFen: 2_500,
        reason: "second",
        outRefundNo: "RF_ORDER_2",
        fundsAccount: "AVAILABLE",
      },
      context,
    );
    const response = await get("SHOP_WITH_REFUNDS");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      out_trade_no: "SHOP_WITH_REFUNDS",
      total: 10_000,
      refunded: 0,
      in_flight: 3_500,
      remaining: 6_500,
      refund_count: 2,
    });
    expect(body.refunds).toHaveLength(2);
    expect(body.refunds[0]).toEqual({
      out_refund_no: "RF_ORDER_2",
      refund_id: null,
      amount: 2_500,
      status: "PENDING",
      origin: "console",
      reason: "second",
      funds_account: "AVAILABLE",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/),
      finished_at: null,
    });
    expect(body.refunds[1].out_refund_no).toBe("RF_ORDER_1");
  });

  it("answers 404 ORDER_NOT_FOUND for an unknown order", async () => {
    const response = await get("NO_SUCH_ORDER");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: "ORDER_NOT_FOUND",
      message: "Order not found.",
      message_zh: "找不到该订单。",
    });
  });

  describe("with several merchants", () => {
    let other: { id: string };
    let scopedKey: string;
    let otherKey: string;

    beforeAll(async () => {
      other = await createMerchant(t.db);
      scopedKey = await createTestKey(t.db, merchantId);
      otherKey = await createTestKey(t.db, other.id);
    });

    it("needs a scoped key to record an order: an unscoped one gets 422 MERCHANT_REQUIRED", async () => {
      const response = await record(paidOrder({ out_trade_no: "SHOP_MULTI_01" }));
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: "MERCHANT_REQUIRED", message_zh: expect.any(String) });
      expect((await record(paidOrder({ out_trade_no: "SHOP_MULTI_01" }), otherKey)).status).toBe(201);
      const [row] = await t.db.select().from(orders).where(eq(orders.outTradeNo, "SHOP_MULTI_01"));
      expect(row!.merchantId).toBe(other.id);
    });

    it("shows a scoped key only its own merchant's orders", async () => {
      expect((await get("SHOP20261123001", scopedKey)).status).toBe(200);
      expect((await get("SHOP20261123001", otherKey)).status).toBe(404);
      expect((await get("SHOP_MULTI_01", scopedKey)).status).toBe(404);
      expect((await get("SHOP_MULTI_01", key)).status).toBe(200);
    });

    it("lets two merchants use the same out_trade_no, which an unscoped key then cannot tell apart", async () => {
      const sameNumber = paidOrder({ out_trade_no: "SHOP_SHARED_01" });
      expect((await record(sameNumber, scopedKey)).status).toBe(201);
      expect((await record(sameNumber, otherKey)).status).toBe(201);
      expect((await get("SHOP_SHARED_01", otherKey)).status).toBe(200);
      const ambiguous = await get("SHOP_SHARED_01", key);
      expect(ambiguous.status).toBe(422);
      expect((await ambiguous.json()).code).toBe("MERCHANT_REQUIRED");
    });
  });
});
