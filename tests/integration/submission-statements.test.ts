import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../db";
import { createUser } from "../fixtures/orders";
import { simulatedMerchant, type SimulatedMerchant } from "../fixtures/simulator-merchant";
import {
  countingDatabase,
  refundState,
  statementKind,
  whileEndpointWants,
  type CountingDatabase,
} from "../fixtures/statements";
import { refunds, webhookEvents } from "../../lib/db/schema";
import type { GatewayRefund, RefundGateway } from "../../lib/refunds/gateway";
import { lockRefund, moveRefund } from "../../lib/refunds/move";
import type { RequestContext } from "../../lib/refunds/request";
import { submitRefund } from "../../lib/refunds/submit";
import { ok } from "../../lib/result";
import { eq } from "drizzle-orm";

/**
 * The statements one submission costs the database, counted as the driver sends them: a bulk run sends 150 a second
 * (issue #18), so a change that adds one shows here.
 */
describe("statements per submission", () => {
  let t: TestDatabase;
  let sim: SimulatedMerchant;
  let context: RequestContext;
  let counting: CountingDatabase;

  beforeAll(async () => {
    t = await createTestDb();
    sim = await simulatedMerchant(t.db);
    const operator = await createUser(t.db, "operator");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    counting = await countingDatabase(t.url);
  });
  afterAll(async () => {
    await counting.end();
    await sim.close();
    await t.drop();
  });

  const pendingRefund = () => sim.pendingRefund(context, 400, "statements");

  async function submitCounting(refundId: number, options: { merchantId?: string } = {}) {
    counting.sent.length = 0;
    const outcome = await submitRefund(counting.db, async () => ok(sim.gateway), refundId, options);
    return { outcome, statements: counting.sent.map(statementKind) };
  }

  async function state(refundId: number) {
    const { refund, order, events } = await refundState(t.db, refundId);
    return { refund, order, events: events.map((e) => [e.type, e.statusFrom, e.statusTo]) };
  }

  it("an answer of PROCESSING is applied in one statement, outside any transaction", async () => {
    const refund = await pendingRefund();
    const { outcome, statements } = await submitCounting(refund.id);
    expect(outcome).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(statements).toEqual([
      // Whose refund it is (the merchant's gateway is resolved before anything is marked).
      "select refunds",
      // The attempt, marked before the call in one statement: the order's lock, the refund's, the mark and its event.
      "claim submission",
      // WeChat's answer: the refund, still PENDING as marked, moves with its event in one statement.
      "move refund unless changed",
    ]);
    const after = await state(refund.id);
    expect(after.refund).toMatchObject({
      status: "PROCESSING",
      outcomeUnknown: false,
      submittingUntil: null,
      attemptCount: 1,
    });
    expect(after.refund.refundId).toMatch(/^\d+$/);
    expect(after.order).toMatchObject({ inFlightFen: 400, refundedFen: 0, refundCount: 1 });
    expect(after.events.slice(-2)).toEqual([
      ["submitted", null, null],
      ["accepted", "PENDING", "PROCESSING"],
    ]);
  });

  it("a submission whose job names the merchant: the claim and the answer's move, nothing else", async () => {
    const refund = await pendingRefund();
    const { outcome, statements } = await submitCounting(refund.id, { merchantId: refund.merchantId });
    expect(outcome).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(statements).toEqual(["claim submission", "move refund unless changed"]);
    expect((await state(refund.id)).refund).toMatchObject({ status: "PROCESSING", attemptCount: 1 });
  });

  it("a job naming another merchant than the refund's: nothing is marked or sent", async () => {
    const refund = await pendingRefund();
    const before = await state(refund.id);
    const { statements } = await submitCounting(refund.id, { merchantId: randomUUID() });
    // The transaction does not find the refund among that merchant's; the sweep queues it again as its own.
    expect(statements).toEqual([
      "claim submission",
      "begin",
      "select orders for update",
      "select refunds for update",
      "commit",
    ]);
    expect(await state(refund.id)).toEqual(before);
  });

  it("a refund not yet due: the one statement marks nothing, and the transaction says when to come back", async () => {
    const refund = await pendingRefund();
    const due = new Date(Date.now() + 60_000);
    await t.db.update(refunds).set({ scheduledAt: due }).where(eq(refunds.id, refund.id));
    const { outcome, statements } = await submitCounting(refund.id);
    expect(outcome).toMatchObject({ kind: "retry", reason: "scheduled" });
    expect(statements).toEqual([
      "select refunds",
      "claim submission",
      "begin",
      "select orders for update",
      "select refunds for update",
      "commit",
    ]);
    expect((await state(refund.id)).refund).toMatchObject({
      status: "PENDING",
      attemptCount: 0,
      outcomeUnknown: false,
    });
  });

  /** The simulator's gateway, with `before` run between WeChat's answer and its return, and the answer rewritten. */
  function gatewayWith(before: (refundId: number) => Promise<void>, answer = (a: GatewayRefund) => a): RefundGateway {
    return {
      ...sim.gateway,
      async apply(submission) {
        const answered = await sim.gateway.apply(submission);
        const [refund] = await t.db.select().from(refunds).where(eq(refunds.outRefundNo, submission.outRefundNo));
        await before(refund!.id);
        return answered.ok ? ok(answer(answered.value)) : answered;
      },
    };
  }

  it("a refund a callback moved before the answer came: the answer takes the locking path, as a stale report", async () => {
    const refund = await pendingRefund();
    const callbackFirst = gatewayWith((id) =>
      t.db.transaction(async (tx) => {
        const locked = (await lockRefund(tx, { id }))!;
        await moveRefund(tx, locked, "SUCCESS", { type: "succeeded", source: "notify" }, { finishedAt: new Date() });
      }),
    );
    counting.sent.length = 0;
    const outcome = await submitRefund(counting.db, async () => ok(callbackFirst), refund.id);
    expect(outcome).toEqual({ kind: "settled", status: "SUCCESS" });
    // The one statement finds the refund no longer PENDING and moves nothing; the locking path records the answer.
    expect(counting.sent.map(statementKind).slice(2)).toEqual([
      "move refund unless changed",
      "begin",
      "select orders for update",
      "select refunds for update",
      "insert refund_events",
      "commit",
    ]);
    const after = await state(refund.id);
    expect(after.refund.status).toBe("SUCCESS");
    expect(after.order).toMatchObject({ inFlightFen: 0, refundedFen: 400 });
    expect(after.events.slice(-2)).toEqual([
      ["succeeded", "PENDING", "SUCCESS"],
      ["stale_report", null, null],
    ]);
  });

  it("an answer whose event a webhook endpoint wants: the locking path, with its outbox entry", async () => {
    const refund = await pendingRefund();
    await whileEndpointWants(t.db, refund.merchantId, "refund.succeeded", async () => {
      // WeChat may answer a refund from the available balance as already SUCCESS.
      const succeeded = gatewayWith(
        async () => {},
        (a) => ({ ...a, status: "SUCCESS" }),
      );
      counting.sent.length = 0;
      const outcome = await submitRefund(counting.db, async () => ok(succeeded), refund.id);
      expect(outcome).toEqual({ kind: "settled", status: "SUCCESS" });
      expect(counting.sent.map(statementKind).slice(2, 6)).toEqual([
        "move refund unless changed",
        "begin",
        "select orders for update",
        "select refunds for update",
      ]);
      expect(counting.sent.map(statementKind).at(-1)).toBe("commit");
      const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.refundId, refund.id));
      expect(event).toMatchObject({ type: "refund.succeeded" });
      expect((await state(refund.id)).refund.status).toBe("SUCCESS");
    });
  });
});
