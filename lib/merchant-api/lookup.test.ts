import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { defaultMerchantId } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { ok } from "../result";
import type { ApiContext } from "./context";
import { getOrLookUpOrder } from "./orders";
import { msg } from "../message";

describe("GET /api/v1/orders/{out_trade_no}?lookup=wechat", () => {
  let t: TestDatabase;
  let context: ApiContext;
  const gateway = new ScriptedGateway();
  const resolve = async () => ok(gateway);

  beforeAll(async () => {
    t = await createTestDb();
    const merchantId = await defaultMerchantId(t.db);
    context = { principal: { keyId: "k", name: "shop", prefix: "rk_live_abc", merchantId }, ip: "127.0.0.1" };
    gateway.payments.set("4200000000202612040000000501", {
      outTradeNo: "API0501",
      transactionId: "4200000000202612040000000501",
      tradeState: "REFUND",
      totalFen: 2_000,
      payerTotalFen: 2_000,
      currency: "CNY",
      successTime: "2026-12-03T09:00:00+08:00",
    });
    gateway.platformRefunds.set("4200000000202612040000000501", [
      { outRefundNo: "MP0501", refundId: "503000000000000501", amountFen: 500, status: "SUCCESS" },
    ]);
    gateway.payments.set("x", { outTradeNo: "API0502", tradeState: "NOTPAY", tradeStateDesc: "订单未支付" });
  });
  afterAll(() => t.drop());

  it("imports a paid payment by out_trade_no (201), then answers it as any order (200)", async () => {
    const first = await getOrLookUpOrder(t.db, context, "API0501", resolve);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      out_trade_no: "API0501",
      transaction_id: "4200000000202612040000000501",
      total: 2_000,
      refunded: 500,
      remaining: 1_500,
      refund_count: 1,
      refunds: [{ out_refund_no: "MP0501", status: "SUCCESS", amount: 500 }],
    });
    expect(gateway.calls).toContain("queryTransaction API0501");
    gateway.calls.length = 0;
    const again = await getOrLookUpOrder(t.db, context, "API0501", resolve);
    expect(again.status).toBe(200);
    expect(gateway.calls).toEqual([]);
  });

  it("answers an unpaid order with ORDER_NOT_PAID and WeChat's trade_state, an unknown one with ORDER_NOT_FOUND", async () => {
    expect(await getOrLookUpOrder(t.db, context, "API0502", resolve)).toMatchObject({
      status: 422,
      body: { code: "ORDER_NOT_PAID", trade_state: "NOTPAY", trade_state_desc: "订单未支付" },
    });
    expect(await getOrLookUpOrder(t.db, context, "API0599", resolve)).toMatchObject({
      status: 404,
      body: { code: "ORDER_NOT_FOUND" },
    });
  });

  it("answers 502 WECHATPAY_ERROR when WeChat Pay cannot be asked", async () => {
    const broken = new ScriptedGateway();
    broken.queryTransaction = async () => ({
      ok: false,
      error: {
        kind: "network",
        code: "TIMEOUT",
        detail: "x",
        advice: "unknown",
        message: msg("outcomes.wechatpay.errors.TIMEOUT"),
      },
    });
    const reply = await getOrLookUpOrder(t.db, context, "API0503", async () => ok(broken));
    expect(reply).toMatchObject({ status: 502, body: { code: "WECHATPAY_ERROR", wechatpay_code: "TIMEOUT" } });
  });
});
