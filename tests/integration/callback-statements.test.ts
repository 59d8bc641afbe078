import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../db";
import { processingRefund, refundResource, v3Callback } from "../fixtures/notifications";
import { callbackState, callbackTestbed, sendRefundCallback } from "../fixtures/refund-callbacks";
import { countingDatabase, statementKind, whileEndpointWants, type CountingDatabase } from "../fixtures/statements";
import { eq } from "drizzle-orm";
import { webhookEvents } from "../../lib/db/schema";
import { lockRefund, moveRefund } from "../../lib/refunds/move";
import type { RequestContext } from "../../lib/refunds/request";

/**
 * The statements one callback costs the database, counted as the driver sends them: a storm of WeChat's callbacks
 * after an outage is bounded by these, so a change that adds one shows here (issue #18).
 */
describe("statements per callback", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let counting: CountingDatabase;

  beforeAll(async () => {
    ({ t, context } = await callbackTestbed("v3"));
    counting = await countingDatabase(t.url);
  });
  afterAll(async () => {
    await counting.end();
    await t.drop();
  });

  /** Delivers the callback through the counting client (merchants read through the test's own) and returns what it sent. */
  async function statementsOf(callback: { headers: Record<string, string>; body: string }) {
    counting.sent.length = 0;
    const answer = await sendRefundCallback(counting.db, callback, undefined, t.db);
    return { answer, statements: counting.sent.map(statementKind) };
  }

  it("a genuine REFUND.SUCCESS", async () => {
    const refund = await processingRefund(t.db, context);
    const { answer, statements } = await statementsOf(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(204);
    expect((await callbackState(t.db, refund)).refund.status).toBe("SUCCESS");
    // Two statements, each its own transaction on a connection shared with other callbacks: the stored request,
    // then — nothing read first — the move WeChat's report implies (PROCESSING → SUCCESS) of refund, order sums and
    // timeline with the settled row (no endpoint wants the event here).
    expect(statements).toEqual(["insert notifications", "move refund unless changed"]);
    const state = await callbackState(t.db, refund);
    expect(state.order).toMatchObject({ refundedFen: refund.amountFen, inFlightFen: 0 });
    expect(state.events.map((e) => [e.type, e.statusFrom, e.statusTo])).toEqual([
      ["succeeded", "PROCESSING", "SUCCESS"],
    ]);
    expect(state.rows.map((r) => [r.outcome, r.responseStatus])).toEqual([["applied", 204]]);
  });

  it("a REFUND.SUCCESS for a refund not as WeChat's report implies (ABNORMAL): read, then moved as read", async () => {
    const refund = await processingRefund(t.db, context);
    await t.db.transaction(async (tx) => {
      const locked = (await lockRefund(tx, { id: refund.id }))!;
      await moveRefund(tx, locked, "ABNORMAL", { type: "abnormal", source: "reconciler" });
    });
    const { answer, statements } = await statementsOf(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(204);
    expect(statements).toEqual([
      "insert notifications",
      "move refund unless changed",
      "select refunds",
      "move refund unless changed",
    ]);
    const state = await callbackState(t.db, refund);
    expect(state.refund.status).toBe("SUCCESS");
    expect(state.order).toMatchObject({ refundedFen: refund.amountFen, inFlightFen: 0 });
    expect(state.events.map((e) => [e.type, e.statusFrom, e.statusTo]).at(-1)).toEqual([
      "succeeded",
      "ABNORMAL",
      "SUCCESS",
    ]);
    expect(state.rows.map((r) => [r.outcome, r.responseStatus])).toEqual([["applied", 204]]);
  });

  it("a genuine REFUND.SUCCESS whose event a webhook endpoint wants: under the locks, with the outbox", async () => {
    const refund = await processingRefund(t.db, context);
    await whileEndpointWants(t.db, refund.merchantId, "refund.succeeded", async () => {
      const { answer, statements } = await statementsOf(
        v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"),
      );
      expect(answer.status).toBe(204);
      // The one statement refuses to move a refund whose event an endpoint wants (its outbox entry is built from
      // the moved refund) and says so; the locking path does it at once, and the event goes out with the move.
      expect(statements.slice(0, 5)).toEqual([
        "insert notifications",
        "move refund unless changed",
        "begin",
        "select orders for update",
        "select refunds for update",
      ]);
      expect(statements.at(-1)).toBe("commit");
      const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.refundId, refund.id));
      expect(event).toMatchObject({ type: "refund.succeeded" });
      expect((await callbackState(t.db, refund)).rows.map((r) => r.outcome)).toEqual(["applied"]);
    });
  });

  it("a repeat of an applied callback", async () => {
    const refund = await processingRefund(t.db, context);
    const callback = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");
    await statementsOf(callback);
    const { answer, statements } = await statementsOf(callback);
    expect(answer.status).toBe(204);
    // The stored request finds the applied delivery and is stored settled as its duplicate: nothing else.
    expect(statements).toEqual(["insert notifications"]);
    const rows = (await callbackState(t.db, refund)).rows;
    expect(rows.map((r) => [r.outcome, r.responseStatus])).toEqual([
      ["applied", 204],
      ["duplicate", 204],
    ]);
  });
});
