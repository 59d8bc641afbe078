import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import {
  APPID,
  MCHID,
  moneyState,
  post,
  refundResource,
  testMerchants,
  v3Callback,
} from "../../tests/fixtures/notifications";
import { notifications, orders, merchants } from "../db/schema";
import { receivePaymentNotification } from "./receive";

describe("APIv3 payment callbacks", () => {
  let t: TestDatabase;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const [merchant] = await t.db
      .insert(merchants)
      .values({ mchid: MCHID, appid: APPID, displayName: "Test merchant" })
      .returning();
    merchantId = merchant!.id;
  });
  afterAll(() => t.drop());

  const transaction = (outTradeNo: string, over: Record<string, unknown> = {}) => ({
    mchid: MCHID,
    appid: APPID,
    out_trade_no: outTradeNo,
    transaction_id: `42000000${outTradeNo.replace(/\D/g, "").padStart(20, "0")}`,
    trade_type: "JSAPI",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    bank_type: "OTHERS",
    success_time: "2024-05-01T09:30:00+08:00",
    payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    amount: { total: 2500, payer_total: 2500, currency: "CNY", payer_currency: "CNY" },
    ...over,
  });
  const send = (callback: { headers: Record<string, string>; body: string }) =>
    receivePaymentNotification(t.db, post("/api/notify/payment", callback.body, callback.headers), {
      merchants: testMerchants(t.db),
    });
  const ordersOf = (outTradeNo: string) => t.db.select().from(orders).where(eq(orders.outTradeNo, outTradeNo));
  const rowsOf = async (id: string) =>
    t.db.select().from(notifications).where(eq(notifications.notificationId, id)).orderBy(notifications.id);

  it("records the paid order from TRANSACTION.SUCCESS and answers 204", async () => {
    const id = randomUUID();
    expect(await send(v3Callback(transaction("P1001"), "TRANSACTION.SUCCESS", { id }))).toEqual({
      status: 204,
      body: "",
    });
    const [order] = await ordersOf("P1001");
    expect(order).toMatchObject({
      merchantId,
      totalFen: 2500,
      currency: "CNY",
      payerOpenid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      refundedFen: 0,
    });
    expect(order!.paidAt.toISOString()).toBe("2024-05-01T01:30:00.000Z");
    expect(await rowsOf(id)).toMatchObject([
      { verification: "verified", outcome: "applied", eventType: "TRANSACTION.SUCCESS", merchantId },
    ]);
  });

  it("records an order once, whether the same notification or another one reports it again", async () => {
    const id = randomUUID();
    await send(v3Callback(transaction("P1002"), "TRANSACTION.SUCCESS", { id }));
    expect((await send(v3Callback(transaction("P1002"), "TRANSACTION.SUCCESS", { id }))).status).toBe(204);
    expect((await send(v3Callback(transaction("P1002"), "TRANSACTION.SUCCESS"))).status).toBe(204);
    expect(await ordersOf("P1002")).toHaveLength(1);
    expect((await rowsOf(id)).map((r) => r.outcome)).toEqual(["applied", "duplicate"]);
  });

  it("stores a payment that conflicts with a recorded order as an error and answers 409 FAIL", async () => {
    await send(v3Callback(transaction("P1003"), "TRANSACTION.SUCCESS"));
    const before = await moneyState(t.db);
    const id = randomUUID();
    const conflicting = transaction("P1003", { transaction_id: "4200000000000000000000099999" });
    const answer = await send(v3Callback(conflicting, "TRANSACTION.SUCCESS", { id }));
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body)).toEqual({ code: "FAIL", message: "ORDER_CONFLICT" });
    expect(await moneyState(t.db)).toEqual(before);
    expect(await rowsOf(id)).toMatchObject([
      { outcome: "error", rejectionCode: "ORDER_CONFLICT", responseStatus: 409 },
    ]);
  });

  it("refuses a refund callback sent to the payment route", async () => {
    const refund = { outRefundNo: "R-X", refundId: null, amountFen: 100 };
    const answer = await send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toBe("UNEXPECTED_EVENT_TYPE");
  });
});
