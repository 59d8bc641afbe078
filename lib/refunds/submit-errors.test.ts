import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser, defaultMerchantId } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { currentState } from "../db/queries/dashboard";
import { needsAttention } from "../db/queries/refunds";
import { orders, refundEvents, refunds } from "../db/schema";
import { err, ok } from "../result";
import { wechatPayError } from "../wechatpay/errors";
import { requestRefund, type RequestContext } from "./request";
import { submitRefund, type GatewayResolver } from "./submit";

/**
 * No error is retried forever in silence: a final one ends the refund FAILED with its code (counted under "Needs
 * attention" on the dashboard); a transient one is retried with growing back-off while the refund shows its error.
 */
describe("submitRefund after errors", () => {
  let t: TestDatabase;
  let context: RequestContext;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const operator = await createUser(t.db, "operator");
    merchantId = await defaultMerchantId(t.db);
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(() => t.drop());

  async function newRefund() {
    const order = await createPaidOrder(t.db, { totalFen: 1000 });
    const result = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 600, reason: "errors" },
      context,
    );
    if (!result.ok) throw new Error(result.error.code);
    return result.value;
  }
  const row = async (id: number) => (await t.db.select().from(refunds).where(eq(refunds.id, id)))[0]!;
  const orderOf = async (id: number) =>
    (
      await t.db
        .select()
        .from(orders)
        .where(eq(orders.id, (await row(id)).orderId))
    )[0]!;
  const flagged = async (id: number) =>
    (
      await t.db
        .select({ id: refunds.id })
        .from(refunds)
        .where(and(eq(refunds.id, id), needsAttention()))
    ).length === 1;

  /** Submit again and again, the clock moved to each retry's time, until the refund settles or `rounds` pass. */
  async function submitUntilSettled(id: number, resolve: GatewayResolver, rounds: number) {
    let now = new Date();
    const delays: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const outcome = await submitRefund(t.db, resolve, id, { now: () => now });
      if (outcome.kind === "settled") return { settled: outcome.status, delays };
      delays.push(outcome.afterMs);
      now = new Date(now.getTime() + outcome.afterMs);
    }
    return { settled: null, delays };
  }

  const finalCases = [
    {
      name: "credentials missing",
      resolve: async () => err(wechatPayError("config", "CONFIG_MISSING", "no credentials for 1234567890")),
      code: "CONFIG_MISSING",
      applies: 0,
    },
    {
      name: "credentials unusable",
      resolve: async () => err(wechatPayError("config", "CONFIG_INVALID", "key does not open")),
      code: "CONFIG_INVALID",
      applies: 0,
    },
    { name: "signature rejected", step: { code: "SIGN_ERROR", status: 401 }, code: "SIGN_ERROR", applies: 1 },
    { name: "not authorised", step: { code: "NO_AUTH", status: 403 }, code: "NO_AUTH", applies: 1 },
    { name: "parameter refused", step: { code: "PARAM_ERROR", status: 400 }, code: "PARAM_ERROR", applies: 1 },
  ] as const;

  it.each(finalCases)(
    "ends FAILED at the first final error ($name), its amount released and counted on the dashboard",
    async (c) => {
      const gateway = new ScriptedGateway();
      if ("step" in c) gateway.script(c.step);
      const resolve: GatewayResolver = "resolve" in c ? c.resolve : async () => ok(gateway);
      const refund = await newRefund();
      const failedBefore = (await currentState(t.db, merchantId)).failedCount;

      const result = await submitUntilSettled(refund.id, resolve, 10);

      expect(result).toEqual({ settled: "FAILED", delays: [] });
      const after = await row(refund.id);
      expect(after).toMatchObject({ status: "FAILED", lastErrorCode: c.code, outcomeUnknown: false });
      expect(after.finishedAt).not.toBeNull();
      expect(await orderOf(refund.id)).toMatchObject({ inFlightFen: 0, refundedFen: 0 });
      expect(gateway.calls).toHaveLength(c.applies);
      expect((await currentState(t.db, merchantId)).failedCount).toBe(failedBefore + 1);
      const [event] = await t.db
        .select()
        .from(refundEvents)
        .where(and(eq(refundEvents.refundId, refund.id), eq(refundEvents.statusTo, "FAILED")));
      // The operator's explanation travels with the event, as the message for the code.
      expect(event?.payload).toMatchObject({
        code: c.code,
        operatorMessage: { key: expect.stringMatching(/^outcomes\.wechatpay\.errors\./) },
      });
    },
  );

  it("retries a transient error with growing back-off, capped, and shows the refund's error all along", async () => {
    const gateway = new ScriptedGateway().script(
      ...Array.from({ length: 12 }, () => ({ code: "SYSTEM_ERROR", status: 500 })),
    );
    const refund = await newRefund();

    const result = await submitUntilSettled(refund.id, async () => ok(gateway), 12);

    expect(result.settled).toBeNull();
    expect(result.delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...result.delays)).toBe(10 * 60_000);
    expect(await row(refund.id)).toMatchObject({ status: "PENDING", lastErrorCode: "SYSTEM_ERROR" });
    expect(await flagged(refund.id)).toBe(true);
    // The thirteenth attempt meets a WeChat that works again, with the same number.
    expect((await submitUntilSettled(refund.id, async () => ok(gateway), 1)).settled).toBe("PROCESSING");
    expect(new Set(gateway.calls)).toEqual(new Set([`apply ${refund.outRefundNo}`]));
  });

  it("never fails a refund WeChat may have accepted: with its outcome unknown, a configuration error is retried and shown", async () => {
    const gateway = new ScriptedGateway().script("accept_then_timeout");
    const refund = await newRefund();
    await submitRefund(t.db, async () => ok(gateway), refund.id);
    expect(await row(refund.id)).toMatchObject({ status: "PENDING", outcomeUnknown: true });

    const broken: GatewayResolver = async () => err(wechatPayError("config", "CONFIG_MISSING", "credentials removed"));
    const result = await submitUntilSettled(refund.id, broken, 5);

    expect(result.settled).toBeNull();
    expect(await row(refund.id)).toMatchObject({
      status: "PENDING",
      outcomeUnknown: true,
      lastErrorCode: "CONFIG_MISSING",
    });
    expect(await flagged(refund.id)).toBe(true);
    // Credentials back: WeChat is asked, and the refund it accepted is found, never sent twice.
    expect((await submitUntilSettled(refund.id, async () => ok(gateway), 1)).settled).toBe("PROCESSING");
    expect(gateway.executed.size).toBe(1);
  });
});
