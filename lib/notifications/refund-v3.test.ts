import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../../tests/db";
import { moneyState, processingRefund, refundResource, v3Callback } from "../../tests/fixtures/notifications";
import {
  callbackBehindLockedOrder,
  callbackState,
  callbackTestbed,
  sendRefundCallback,
} from "../../tests/fixtures/refund-callbacks";
import { holdOrderLock } from "../../tests/fixtures/locks";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { CALLBACK_SESSION_SETTINGS, createDatabase } from "../db/client";
import { merchants, notifications, type Refund } from "../db/schema";
import type { RequestContext } from "../refunds/request";

describe("APIv3 refund callbacks", () => {
  let t: TestDatabase;
  let context: RequestContext;

  beforeAll(async () => {
    ({ t, context } = await callbackTestbed("v3"));
  });
  afterAll(() => t.drop());

  const send = (callback: { headers: Record<string, string>; body: string }) => sendRefundCallback(t.db, callback);
  const state = (refund: Refund) => callbackState(t.db, refund);

  it("applies REFUND.SUCCESS: the amount moves from in flight to refunded; answers 204 without a body", async () => {
    const refund = await processingRefund(t.db, context);
    const callback = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");
    const answer = await send(callback);
    expect(answer).toEqual({ status: 204, body: "" });
    const s = await state(refund);
    expect(s.refund).toMatchObject({ status: "SUCCESS", userReceivedAccount: "支付用户零钱" });
    expect(s.refund.finishedAt?.toISOString()).toBe("2024-05-01T02:00:00.000Z");
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 600 });
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ type: "succeeded", statusFrom: "PROCESSING", statusTo: "SUCCESS" });
    expect(s.events[0]!.payload).toMatchObject({
      notificationId: JSON.parse(callback.body).id,
      eventType: "REFUND.SUCCESS",
    });
    expect(s.rows).toHaveLength(1);
    expect(s.rows[0]).toMatchObject({
      protocol: "v3",
      verification: "verified",
      outcome: "applied",
      eventType: "REFUND.SUCCESS",
      notificationId: JSON.parse(callback.body).id,
      responseStatus: 204,
      rawBody: callback.body,
      decrypted: { out_refund_no: refund.outRefundNo, refund_status: "SUCCESS" },
    });
    expect(s.rows[0]!.headers["wechatpay-serial"]).toBe(callback.headers["Wechatpay-Serial"]);
  });

  /** WeChat's side for the confirming query of a CLOSED callback: the refund as WeChat's query reports it. */
  const sendWithWechatSaying = (
    refund: Refund,
    status: "CLOSED" | "SUCCESS",
    callback: { headers: Record<string, string>; body: string },
  ) => {
    const gateway = new ScriptedGateway();
    gateway.executed.set(refund.outRefundNo, { refundId: refund.refundId!, status, amountFen: refund.amountFen });
    return { answer: sendRefundCallback(t.db, callback, gateway), gateway };
  };

  it("applies REFUND.CLOSED once WeChat's query confirms it: the amount is released, nothing refunded", async () => {
    const refund = await processingRefund(t.db, context);
    const { answer, gateway } = sendWithWechatSaying(
      refund,
      "CLOSED",
      v3Callback(refundResource(refund, "CLOSED"), "REFUND.CLOSED"),
    );
    expect((await answer).status).toBe(204);
    expect(gateway.calls).toEqual([`query ${refund.outRefundNo}`]);
    const s = await state(refund);
    expect(s.refund.status).toBe("CLOSED");
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 0 });
    expect(s.events.map((e) => e.type)).toEqual(["closed"]);
  });

  it("believes WeChat's query over a signed CLOSED that contradicts it: the refund succeeds, no amount is released", async () => {
    const refund = await processingRefund(t.db, context);
    const { answer } = sendWithWechatSaying(
      refund,
      "SUCCESS",
      v3Callback(refundResource(refund, "CLOSED"), "REFUND.CLOSED"),
    );
    expect((await answer).status).toBe(204);
    const s = await state(refund);
    expect(s.refund.status).toBe("SUCCESS");
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 600 });
  });

  it("applies REFUND.ABNORMAL: the amount stays reserved", async () => {
    const refund = await processingRefund(t.db, context);
    expect((await send(v3Callback(refundResource(refund, "ABNORMAL"), "REFUND.ABNORMAL"))).status).toBe(204);
    const s = await state(refund);
    expect(s.refund.status).toBe("ABNORMAL");
    expect(s.order).toMatchObject({ inFlightFen: 600, refundedFen: 0 });
    expect(s.events.map((e) => e.type)).toEqual(["abnormal"]);
  });

  it("applies a notification sent five times once; the repeats are answered with success", async () => {
    const refund = await processingRefund(t.db, context);
    const id = randomUUID();
    for (let i = 0; i < 5; i++) {
      // Each delivery is signed afresh (new timestamp and nonce), with the same notification id, as WeChat does.
      expect((await send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { id }))).status).toBe(204);
    }
    const s = await state(refund);
    expect(s.rows.map((r) => r.outcome)).toEqual(["applied", "duplicate", "duplicate", "duplicate", "duplicate"]);
    expect(s.events).toHaveLength(1);
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 600 });
  });

  it("answers a repeat of an applied notification at once, even while another writer holds the refund", async () => {
    const refund = await processingRefund(t.db, context);
    const id = randomUUID();
    expect((await send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { id }))).status).toBe(204);
    const writer = await holdOrderLock(t.db, refund.orderId);
    const repeat = send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { id }));
    const first = await Promise.race([
      repeat,
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1500)),
    ]);
    await writer.release();
    expect(first).toEqual({ status: 204, body: "" });
    const s = await state(refund);
    expect(s.rows.map((r) => r.outcome)).toEqual(["applied", "duplicate"]);
  });

  it("answers with an error after 2 s when another writer holds the refund (WeChat re-sends); nothing changes", async () => {
    const refund = await processingRefund(t.db, context);
    // The connections the route uses for callbacks (getCallbackDb), with their lock timeout.
    const callbacks = createDatabase(t.url, { max: 2, settings: CALLBACK_SESSION_SETTINGS });
    try {
      const before = await moneyState(t.db);
      const { answer, ms } = await callbackBehindLockedOrder(callbacks.db, t.db, refund);
      expect(ms).toBeLessThan(4000);
      expect(answer.status).toBe(500);
      expect(await moneyState(t.db)).toEqual(before);
      const s = await state(refund);
      expect(s.refund.status).toBe("PROCESSING");
    } finally {
      await callbacks.sql.end();
    }
    const [row] = await t.db.select().from(notifications).orderBy(desc(notifications.id)).limit(1);
    expect(row).toMatchObject({ outcome: "error", rejectionCode: "INTERNAL_ERROR", responseStatus: 500 });
  });

  it("applies two concurrent deliveries of one notification once", async () => {
    const refund = await processingRefund(t.db, context);
    const id = randomUUID();
    const answers = await Promise.all(
      [0, 1].map(() => send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { id }))),
    );
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    const s = await state(refund);
    expect(s.rows.map((r) => r.outcome).sort()).toEqual(["applied", "duplicate"]);
    expect(s.events).toHaveLength(1);
    expect(s.order).toMatchObject({ inFlightFen: 0, refundedFen: 600 });
  });

  it("changes nothing on a CLOSED arriving after SUCCESS: stale, recorded on the timeline, answered with success", async () => {
    const refund = await processingRefund(t.db, context);
    await send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    const before = await state(refund);
    expect(await send(v3Callback(refundResource(refund, "CLOSED"), "REFUND.CLOSED"))).toEqual({
      status: 204,
      body: "",
    });
    const after = await state(refund);
    expect(after.refund).toEqual(before.refund);
    expect(after.order).toEqual(before.order);
    expect(after.events.map((e) => e.type)).toEqual(["succeeded", "stale_report"]);
    expect(after.rows.map((r) => r.outcome)).toEqual(["applied", "stale"]);
  });

  it("stores a notification for an unknown refund as unmatched and answers 404 so WeChat sends it again", async () => {
    const callback = v3Callback(
      refundResource({ outRefundNo: "R-NOT-YET", refundId: null, amountFen: 300 }, "SUCCESS"),
      "REFUND.SUCCESS",
    );
    const before = await moneyState(t.db);
    const answer = await send(callback);
    expect(answer).toMatchObject({ status: 404, contentType: "application/json" });
    expect(JSON.parse(answer.body)).toEqual({ code: "FAIL", message: "refund not found" });
    const [row] = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.notificationId, JSON.parse(callback.body).id));
    expect(row).toMatchObject({ verification: "verified", outcome: "unmatched", refundId: null, responseStatus: 404 });
    expect(row!.decrypted).toMatchObject({ out_refund_no: "R-NOT-YET" });
    expect(await moneyState(t.db)).toEqual(before);
  });

  it("rejects a notification whose amount differs from the refund's, without change", async () => {
    const refund = await processingRefund(t.db, context);
    const before = await moneyState(t.db);
    const answer = await send(v3Callback(refundResource({ ...refund, amountFen: 601 }, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ code: "FAIL", message: "AMOUNT_MISMATCH" });
    expect(await moneyState(t.db)).toEqual(before);
    const s = await state(refund);
    expect(s.rows[0]).toMatchObject({
      verification: "verified",
      outcome: "rejected",
      rejectionCode: "AMOUNT_MISMATCH",
    });
  });

  it("does not apply a notification to another merchant's refund: that number is unknown to the notifying merchant", async () => {
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000999", appid: "wx9", displayName: "Other" })
      .returning();
    const refund = await processingRefund(t.db, context, { merchantId: other!.id });
    const before = await moneyState(t.db);
    const answer = await send(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(404);
    expect(await moneyState(t.db)).toEqual(before);
    expect((await state(refund)).refund.status).toBe("PROCESSING");
  });

  it("keeps a refund number per merchant: another merchant's refund of the same number is untouched by this one's callback", async () => {
    // WeChat makes out_refund_no unique within a merchant only, so two merchants of one console may both use "R-SHARED".
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000998", appid: "wx8", displayName: "Other with the same number" })
      .returning();
    const theirs = await processingRefund(t.db, context, { merchantId: other!.id, outRefundNo: "R-SHARED" });
    const ours = await processingRefund(t.db, context, { outRefundNo: "R-SHARED", amountFen: 300 });
    expect(theirs.outRefundNo).toBe(ours.outRefundNo);

    const answer = await send(v3Callback(refundResource(ours, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(204);
    expect((await state(ours)).refund.status).toBe("SUCCESS");
    expect((await state(theirs)).refund.status).toBe("PROCESSING");
    expect((await state(theirs)).events).toHaveLength(0);
  });

  it("rejects a verified notification that names a merchant the console does not have", async () => {
    const refund = await processingRefund(t.db, context);
    const before = await moneyState(t.db);
    const callback = v3Callback(refundResource(refund, "SUCCESS", { mchid: "1900000777" }), "REFUND.SUCCESS");
    expect((await send(callback)).status).toBe(400);
    expect(await moneyState(t.db)).toEqual(before);
    const [row] = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.notificationId, JSON.parse(callback.body).id));
    expect(row).toMatchObject({
      verification: "rejected",
      outcome: "rejected",
      rejectionCode: "MERCHANT_MISMATCH",
      eventType: "REFUND.SUCCESS",
    });
    expect(row!.decrypted).toMatchObject({ mchid: "1900000777" });
  });
});
