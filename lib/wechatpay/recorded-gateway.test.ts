import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser } from "../../tests/fixtures/orders";
import { simulatedMerchant, type SimulatedMerchant } from "../../tests/fixtures/simulator-merchant";
import { gatewayExchanges } from "../db/schema";
import { reconcileRefund } from "../refunds/reconcile";
import type { RequestContext } from "../refunds/request";
import { submitRefund } from "../refunds/submit";
import { ok } from "../result";
import { recorded } from "./recorded-gateway";

describe("recorded gateway against the simulator", () => {
  let t: TestDatabase;
  let sim: SimulatedMerchant;
  let context: RequestContext;

  beforeAll(async () => {
    t = await createTestDb();
    sim = await simulatedMerchant(t.db);
    const operator = await createUser(t.db, "operator");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
  });
  afterAll(async () => {
    await sim.close();
    await t.drop();
  });

  const secrets = () => [sim.credentials.apiV3Key, sim.credentials.apiV2Key];
  const resolver =
    (merchantId = sim.merchant.id) =>
    async () =>
      ok(recorded(t.db, { merchantId, apiVersion: "v3", secrets: secrets() }, sim.gateway));

  const newRefund = () => sim.pendingRefund(context, 300, "evidence");

  it("leaves an apply row and a query row with the real requests and answers, redacted", async () => {
    const refund = await newRefund();
    expect(await submitRefund(t.db, resolver(), refund.id)).toEqual({ kind: "settled", status: "PROCESSING" });
    await sim.harness.clock.advance(3000);
    expect(await reconcileRefund(t.db, resolver(), refund.id, 0)).toEqual({ kind: "final" });

    const rows = await t.db
      .select()
      .from(gatewayExchanges)
      .where(eq(gatewayExchanges.outRefundNo, refund.outRefundNo))
      .orderBy(asc(gatewayExchanges.id));
    expect(rows.map((r) => [r.operation, r.method, r.responseStatus, r.errorCode, r.refundId, r.merchantId])).toEqual([
      ["apply", "POST", 200, null, refund.id, sim.merchant.id],
      ["query", "GET", 200, null, refund.id, sim.merchant.id],
    ]);
    const [apply, query] = rows;
    expect(apply!.path).toBe("/v3/refund/domestic/refunds");
    expect(apply!.request).toMatchObject({
      observed: "wire",
      body: { out_refund_no: refund.outRefundNo, amount: { refund: 300, total: 1000 } },
    });
    expect(apply!.response).toMatchObject({ body: { out_refund_no: refund.outRefundNo, status: "PROCESSING" } });
    expect(query!.path).toBe(`/v3/refund/domestic/refunds/${refund.outRefundNo}`);
    expect(query!.response).toMatchObject({
      body: { status: "SUCCESS" },
      headers: { "request-id": expect.any(String) },
    });
    expect(apply!.durationMs).toBeGreaterThanOrEqual(0);

    const stored = JSON.stringify(rows);
    expect(stored).not.toMatch(/authorization/i);
    expect(stored).not.toContain("WECHATPAY2-SHA256-RSA2048");
    expect(stored).not.toMatch(/wechatpay-signature/i);
    expect(stored).not.toContain(sim.credentials.apiV3Key!);
  });

  it("records a refusal that never left the machine as the call itself", async () => {
    const gateway = recorded(t.db, { merchantId: sim.merchant.id, apiVersion: "v3" }, sim.gateway);
    const answer = await gateway.query("not a refund number!");
    expect(answer).toMatchObject({ ok: false, error: { code: "REQUEST_INVALID" } });
    const [row] = await t.db
      .select()
      .from(gatewayExchanges)
      .where(eq(gatewayExchanges.outRefundNo, "not a refund number!"));
    expect(row).toMatchObject({
      operation: "query",
      request: { observed: "call" },
      errorCode: "REQUEST_INVALID",
      responseStatus: null,
      refundId: null,
    });
  });

  it("records a call about no refund (a payment lookup) with neither refund nor refund number", async () => {
    const order = await sim.paidOrder(500);
    const gateway = recorded(t.db, { merchantId: sim.merchant.id, apiVersion: "v3" }, sim.gateway);
    expect(await gateway.queryTransaction({ outTradeNo: order.outTradeNo })).toMatchObject({ ok: true });
    const rows = await t.db.select().from(gatewayExchanges).where(eq(gatewayExchanges.operation, "transaction_query"));
    expect(rows).toEqual([
      expect.objectContaining({
        merchantId: sim.merchant.id,
        refundId: null,
        outRefundNo: null,
        method: "GET",
        responseStatus: 200,
        errorCode: null,
      }),
    ]);
    expect(rows[0]!.path).toContain(order.outTradeNo);
  });

  it("never lets a failed recording change the answer", async () => {
    const refund = await newRefund();
    // An unknown merchant id violates the foreign key: the insert fails, the refund path does not notice.
    expect(await submitRefund(t.db, resolver(randomUUID()), refund.id)).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    expect(
      await t.db.select().from(gatewayExchanges).where(eq(gatewayExchanges.outRefundNo, refund.outRefundNo)),
    ).toEqual([]);
  });
});
