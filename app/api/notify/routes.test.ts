import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDatabase } from "@/tests/db";
import {
  MERCHANT_ENV,
  post,
  processingRefund,
  refundResource,
  v2Callback,
  v3Callback,
} from "@/tests/fixtures/notifications";
import { createPaidOrder, createUser } from "@/tests/fixtures/orders";
import { createDatabase, setDbForTests } from "@/lib/db/client";
import { notifications, orders, type Refund } from "@/lib/db/schema";
import { POST as paymentPOST } from "./payment/route";
import { POST as refundPOST } from "./refund/route";

/** The routes as Next calls them: the merchant comes from WECHATPAY_* and the database from getDb(). */
describe("POST /api/notify/refund and /api/notify/payment", () => {
  let t: TestDatabase;
  let refund: Refund;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    for (const [name, value] of Object.entries(MERCHANT_ENV)) vi.stubEnv(name, value);
    await createPaidOrder(t.db);
    const operator = await createUser(t.db, "operator");
    refund = await processingRefund(t.db, {
      actor: { id: operator.id, label: operator.email },
      userId: operator.id,
      orderIntervalMs: 0,
    });
  });
  afterAll(async () => {
    setDbForTests(undefined);
    vi.unstubAllEnvs();
    await t.drop();
  });

  const refundRequest = (callback: { headers: Record<string, string>; body: string }) =>
    post("/api/notify/refund", callback.body, callback.headers);

  it("answers an applied refund notification 204 with no body", async () => {
    const response = await refundPOST(refundRequest(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS")));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("answers an unknown refund 404 with WeChat's FAIL body", async () => {
    const response = await refundPOST(
      refundRequest(
        v3Callback(
          refundResource({ outRefundNo: "R-ROUTE-UNKNOWN", refundId: null, amountFen: 1 }, "SUCCESS"),
          "REFUND.SUCCESS",
        ),
      ),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ code: "FAIL", message: "refund not found" });
  });

  it("answers a signature probe 400", async () => {
    const probe = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");
    probe.headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/AAAA";
    const response = await refundPOST(refundRequest(probe));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: "FAIL", message: "SIGNATURE_PROBE" });
  });

  it("answers APIv2 in XML", async () => {
    const xml = `<!DOCTYPE xml>${v2Callback(refund, "SUCCESS")}`;
    const response = await refundPOST(post("/api/notify/refund", xml, { "Content-Type": "text/xml" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("text/xml");
    expect(await response.text()).toMatch(
      /^<xml><return_code><!\[CDATA\[FAIL]]><\/return_code><return_msg><!\[CDATA\[XML_DTD_FORBIDDEN]]><\/return_msg><\/xml>$/,
    );
  });

  it("answers an oversized body 413", async () => {
    const body = "x".repeat(65 * 1024);
    const response = await refundPOST(
      post("/api/notify/refund", body, { "Content-Type": "application/json", "Content-Length": String(body.length) }),
    );
    expect(response.status).toBe(413);
  });

  it("records a payment and answers 204", async () => {
    const id = randomUUID();
    const resource = {
      mchid: MERCHANT_ENV.WECHATPAY_MCHID,
      appid: MERCHANT_ENV.WECHATPAY_APPID,
      out_trade_no: "P-ROUTE-1",
      transaction_id: "4200000000000000000000012345",
      trade_state: "SUCCESS",
      success_time: "2024-05-01T09:30:00+08:00",
      payer: { openid: "o-route" },
      amount: { total: 990, payer_total: 990, currency: "CNY", payer_currency: "CNY" },
    };
    const callback = v3Callback(resource, "TRANSACTION.SUCCESS", { id });
    const response = await paymentPOST(post("/api/notify/payment", callback.body, callback.headers));
    expect(response.status).toBe(204);
    expect(await t.db.select().from(orders).where(eq(orders.outTradeNo, "P-ROUTE-1"))).toHaveLength(1);
    expect(await t.db.select().from(notifications).where(eq(notifications.notificationId, id))).toMatchObject([
      { outcome: "applied" },
    ]);
  });

  it("answers 500 when the database is unreachable, without details", async () => {
    const unreachable = createDatabase("postgres://postgres:postgres@127.0.0.1:1/none", { max: 1 });
    setDbForTests(unreachable.db);
    try {
      const response = await refundPOST(refundRequest(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS")));
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: "FAIL", message: "internal error, please retry" });
    } finally {
      setDbForTests(t.db);
      await unreachable.sql.end();
    }
  });
});
