import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../db";
import { processingRefund, refundResource, v3Callback } from "../fixtures/notifications";
import { callbackState, callbackTestbed, sendRefundCallback } from "../fixtures/refund-callbacks";
import { createDatabase, type Database } from "../../lib/db/client";
import type { RequestContext } from "../../lib/refunds/request";

/**
 * The statements one callback costs the database, counted as the driver sends them: a storm of WeChat's callbacks
 * after an outage is bounded by these, so a change that adds one shows here (issue #18).
 */
describe("statements per callback", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let counting: { db: Database; end: () => Promise<void> };
  const sent: string[] = [];

  beforeAll(async () => {
    ({ t, context } = await callbackTestbed("v3"));
    const { db, sql } = createDatabase(t.url, { max: 4, onStatement: (text) => sent.push(text) });
    counting = { db, end: () => sql.end() };
    // A new connection first reads the array types; that is once per connection, not per callback.
    await sql`select 1`;
  });
  afterAll(async () => {
    await counting.end();
    await t.drop();
  });

  /** A statement by what it does and to which table: `update refunds`, `select orders for update`, `begin`. */
  function kind(text: string): string {
    const verb = text.trim().split(/\s+/)[0]!.toLowerCase();
    const table = /(?:from|into|update)\s+"(\w+)"/i.exec(text)?.[1];
    return [verb, table, / for update$/.test(text) ? "for update" : ""].filter(Boolean).join(" ");
  }

  /** Delivers the callback through the counting client (merchants read through the test's own) and returns what it sent. */
  async function statementsOf(callback: { headers: Record<string, string>; body: string }) {
    sent.length = 0;
    const answer = await sendRefundCallback(counting.db, callback, undefined, t.db);
    return { answer, statements: sent.map(kind) };
  }

  it("a genuine REFUND.SUCCESS", async () => {
    const refund = await processingRefund(t.db, context);
    const { answer, statements } = await statementsOf(v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS"));
    expect(answer.status).toBe(204);
    expect((await callbackState(t.db, refund)).refund.status).toBe("SUCCESS");
    // Five round trips: the stored request; BEGIN; the locks (order first) with the exactly-once check; the writes
    // (the timeline insert also says whether any webhook endpoint wants the event; none does here) with the settled
    // row; COMMIT.
    expect(statements).toEqual([
      "insert notifications",
      "begin",
      "select orders for update",
      "select refunds for update",
      "select notifications",
      "update refunds",
      "update orders",
      "insert refund_events",
      "update notifications",
      "commit",
    ]);
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
