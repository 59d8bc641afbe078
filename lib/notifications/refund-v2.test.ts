import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../../tests/db";
import {
  MCHID,
  moneyState,
  processingRefund,
  QueryGateway,
  testMerchants,
  v2Callback,
} from "../../tests/fixtures/notifications";
import { callbackState, callbackTestbed, sendRefundCallback } from "../../tests/fixtures/refund-callbacks";
import { notifications, type Refund } from "../db/schema";
import type { GatewayRefund } from "../refunds/gateway";
import type { RequestContext } from "../refunds/request";
import { err, ok } from "../result";
import { wechatPayError } from "../wechatpay/errors";
import { successAnswer } from "../wechatpay/v2/notification";
import { reapplyNotification } from "./reapply";

describe("APIv2 refund callbacks", () => {
  let t: TestDatabase;
  let context: RequestContext;

  beforeAll(async () => {
    ({ t, context } = await callbackTestbed("v2"));
  });
  afterAll(() => t.drop());

  /** WeChat's signed query answers `status` for every refund. */
  const querying = (status: GatewayRefund["status"]) =>
    new QueryGateway(() =>
      ok({
        refundId: "50300000000000000000000000009",
        status,
        successTime: status === "SUCCESS" ? "2024-05-01T10:00:05+08:00" : undefined,
      }),
    );

  const send = (xml: string, gateway: QueryGateway) =>
    sendRefundCallback(t.db, { body: xml, headers: { "Content-Type": "text/xml" } }, gateway);
  const state = (refund: Refund) => callbackState(t.db, refund);

  it("confirms SUCCESS with the signed query, applies it and answers the SUCCESS XML", async () => {
    const refund = await processingRefund(t.db, context);
    const gateway = querying("SUCCESS");
    const answer = await send(v2Callback(refund, "SUCCESS"), gateway);
    expect(answer).toEqual({ status: 200, body: successAnswer(), contentType: "text/xml" });
    expect(gateway.queries).toEqual([refund.outRefundNo]);
    const s = await state(refund);
    expect(s.refund.status).toBe("SUCCESS");
    expect(s.refund.finishedAt?.toISOString()).toBe("2024-05-01T02:00:05.000Z");
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 600 });
    expect(s.events[0]!.payload).toMatchObject({
      notificationId: null,
      eventType: "REFUND.SUCCESS",
      notified: "SUCCESS",
      confirmedByQuery: true,
    });
    expect(s.rows[0]).toMatchObject({
      protocol: "v2",
      verification: "verified",
      outcome: "applied",
      notificationId: null,
      eventType: "REFUND.SUCCESS",
    });
    expect(s.rows[0]!.decrypted).toMatchObject({
      mch_id: MCHID,
      out_refund_no: refund.outRefundNo,
      refund_status: "SUCCESS",
      refund_fee: 600,
    });
  });

  it("maps REFUNDCLOSE to CLOSED (amount released) and CHANGE to ABNORMAL", async () => {
    const closed = await processingRefund(t.db, context);
    expect((await send(v2Callback(closed, "REFUNDCLOSE"), querying("CLOSED"))).status).toBe(200);
    expect((await state(closed)).refund.status).toBe("CLOSED");
    expect((await state(closed)).order).toMatchObject({ inFlightFen: 0, refundedFen: 0 });
    const abnormal = await processingRefund(t.db, context);
    expect((await send(v2Callback(abnormal, "CHANGE"), querying("ABNORMAL"))).status).toBe(200);
    expect((await state(abnormal)).refund.status).toBe("ABNORMAL");
  });

  it("applies what the query says when it disagrees with the unsigned notification", async () => {
    const refund = await processingRefund(t.db, context);
    expect((await send(v2Callback(refund, "SUCCESS"), querying("CLOSED"))).status).toBe(200);
    const s = await state(refund);
    expect(s.refund.status).toBe("CLOSED");
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 0 });
    expect(s.events[0]!.payload).toMatchObject({ notified: "SUCCESS" });
  });

  it("answers FAIL when the query fails, changes nothing, and applies WeChat's next delivery", async () => {
    const refund = await processingRefund(t.db, context);
    const before = await moneyState(t.db);
    const failing = new QueryGateway(() => err(wechatPayError("network", "TIMEOUT", "scripted timeout")));
    const answer = await send(v2Callback(refund, "SUCCESS"), failing);
    expect(answer.status).toBe(500);
    expect(answer.contentType).toBe("text/xml");
    expect(answer.body).toContain("<return_code><![CDATA[FAIL]]></return_code>");
    expect(await moneyState(t.db)).toEqual(before);
    expect((await state(refund)).rows[0]).toMatchObject({
      outcome: "error",
      rejectionCode: "QUERY_FAILED",
      responseStatus: 500,
    });

    expect((await send(v2Callback(refund, "SUCCESS"), querying("SUCCESS"))).status).toBe(200);
    expect((await state(refund)).refund.status).toBe("SUCCESS");
  });

  it("answers SUCCESS to a repeated notification without changing the refund again", async () => {
    const refund = await processingRefund(t.db, context);
    const xml = v2Callback(refund, "SUCCESS");
    await send(xml, querying("SUCCESS"));
    expect((await send(xml, querying("SUCCESS"))).body).toBe(successAnswer());
    const s = await state(refund);
    expect(s.rows.map((r) => r.outcome)).toEqual(["applied", "stale"]);
    expect(s.events).toHaveLength(1);
  });

  it("stores a notification for an unknown refund as unmatched without querying WeChat", async () => {
    const gateway = querying("SUCCESS");
    const answer = await send(
      v2Callback({ outRefundNo: "R-V2-UNKNOWN", refundId: null, amountFen: 100 }, "SUCCESS"),
      gateway,
    );
    expect(answer.status).toBe(404);
    expect(gateway.queries).toEqual([]);
  });

  it("refuses a notification for an mch_id the console does not have", async () => {
    const refund = await processingRefund(t.db, context);
    const before = await moneyState(t.db);
    const answer = await send(v2Callback(refund, "SUCCESS", undefined, "1900000555"), querying("SUCCESS"));
    expect(answer.status).toBe(400);
    expect(await moneyState(t.db)).toEqual(before);
    const [row] = await t.db.select().from(notifications).where(eq(notifications.rejectionCode, "MERCHANT_MISMATCH"));
    expect(row).toMatchObject({ protocol: "v2", verification: "rejected", outcome: "rejected" });
  });

  it("re-applies a stored unmatched notification once the refund exists, confirming it by query again", async () => {
    const early = { outRefundNo: "R-V2-EARLY", refundId: null, amountFen: 600 };
    expect((await send(v2Callback(early, "SUCCESS"), querying("SUCCESS"))).status).toBe(404);
    const [row] = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.outcome, "unmatched"))
      .orderBy(desc(notifications.id));
    const refund = await processingRefund(t.db, context, { outRefundNo: "R-V2-EARLY" });
    const gateway = querying("SUCCESS");
    const result = await reapplyNotification(
      t.db,
      refund.merchantId,
      row!.id,
      { id: null, label: "admin" },
      { merchants: testMerchants(t.db, gateway) },
    );
    expect(result).toEqual({ ok: true, value: { outcome: "applied", refundId: refund.id } });
    expect(gateway.queries).toEqual(["R-V2-EARLY"]);
    expect((await state(refund)).refund.status).toBe("SUCCESS");
  });
});
