import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setDbForTests } from "@/lib/db/client";
import { auditLog, orders, refunds } from "@/lib/db/schema";
import { consoleGateways } from "@/lib/jobs/start";
import { lookUpPayment } from "@/lib/orders/lookup";
import { submitRefund } from "@/lib/refunds/submit";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest, params } from "@/tests/fixtures/merchant-api";
import { realMerchant } from "@/tests/fixtures/real-merchant";
import type { WechatPayStub } from "@/tests/wechatpay-doc-stub/stub";

vi.mock("@/lib/jobs/boss", () => ({ getBoss: async () => ({ send: async () => "job", insert: async () => {} }) }));

const { GET: getOrder } = await import("@/app/api/v1/orders/[outTradeNo]/route");
const { POST: requestRefund } = await import("@/app/api/v1/refunds/route");

/**
 * A real merchant with no shop integration at all: the console is configured with its own WECHATPAY_* variables only,
 * and WeChat Pay is the stub written from the documentation. Payments WeChat holds are found by 查询订单, imported,
 * and refunded.
 */
describe("a real merchant's payments, found at WeChat Pay (APIv3)", () => {
  let t: TestDatabase;
  let stub: WechatPayStub;
  let apiKey: string;
  let mchid: string;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    const merchant = await realMerchant();
    ({ stub, apiKey, mchid } = merchant);
    for (const [name, value] of Object.entries(merchant.env)) vi.stubEnv(name, value);
    const started = await setUpMerchants(t.db, process.env);
    expect(started.configured).toMatchObject({ kind: "created", problems: [] });
    merchantId = (await t.db.query.merchants.findFirst())!.id;
    stub.payments.set("TEA20261204101", {
      out_trade_no: "TEA20261204101",
      transaction_id: "4200002345202612041234500101",
      trade_state: "SUCCESS",
      total: 6_600,
      payer_total: 6_000,
      openid: "oTeaPayer0000000000000000001",
      success_time: "2026-12-03T16:05:00+08:00",
      attach: "门店 2",
    });
    stub.payments.set("TEA20261204102", {
      out_trade_no: "TEA20261204102",
      transaction_id: "4200002345202612041234500102",
      trade_state: "NOTPAY",
      total: 1_000,
      payer_total: 0,
      openid: "",
      success_time: "",
    });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    setDbForTests(undefined);
    await stub.close();
    await t.drop();
  });

  it("an operator's pasted transaction id imports the payment, and its refund reaches WeChat signed for the merchant", async () => {
    const actor = { id: null, label: "operator@tea.example" };
    const gateway = await consoleGateways(t.db)(merchantId);
    if (!gateway.ok) throw new Error(gateway.error.detail);
    const found = await lookUpPayment(
      t.db,
      gateway.value,
      { merchantId, number: "4200002345202612041234500101" },
      { actor },
    );
    expect(found).toMatchObject({ ok: true, value: { kind: "imported", created: true, refundsUnlisted: false } });
    const query = stub.received.find((r) => r.url.startsWith("/v3/pay/transactions/"))!;
    expect(query).toMatchObject({ method: "GET", authenticated: true, status: 200 });
    expect(query.url).toBe(`/v3/pay/transactions/id/4200002345202612041234500101?mchid=${mchid}`);
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({
      outTradeNo: "TEA20261204101",
      totalFen: 6_600,
      payerTotalFen: 6_000,
      payerOpenid: "oTeaPayer0000000000000000001",
      paidAt: new Date("2026-12-03T08:05:00Z"),
      attach: "门店 2",
      source: "wechat_query",
    });

    const requested = await requestRefund(
      apiRequest("POST", "/api/v1/refunds", {
        key: apiKey,
        body: { out_trade_no: "TEA20261204101", out_refund_no: "TEAR20261204101", amount: 2_000 },
      }),
    );
    expect(requested.status).toBe(202);
    const [refund] = await t.db.select().from(refunds);
    const submitted = await submitRefund(t.db, consoleGateways(t.db), refund!.id, {});
    expect(submitted).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(stub.refunds.get("TEAR20261204101")).toMatchObject({
      transaction_id: "4200002345202612041234500101",
      amount: { refund: 2_000, total: 6_600 },
    });
  });

  it("the merchant API's ?lookup=wechat imports by out_trade_no, and reports an unpaid or unknown order", async () => {
    stub.payments.set("TEA20261204103", {
      out_trade_no: "TEA20261204103",
      transaction_id: "4200002345202612041234500103",
      trade_state: "SUCCESS",
      total: 1_200,
      payer_total: 1_200,
      openid: "oTeaPayer0000000000000000003",
      success_time: "2026-12-04T09:00:00+08:00",
    });
    const get = (outTradeNo: string) =>
      getOrder(
        apiRequest("GET", `/api/v1/orders/${outTradeNo}?lookup=wechat`, { key: apiKey }),
        params({ outTradeNo }),
      );
    const imported = await get("TEA20261204103");
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ out_trade_no: "TEA20261204103", total: 1_200, remaining: 1_200 });
    expect((await get("TEA20261204103")).status).toBe(200);

    const unpaid = await get("TEA20261204102");
    expect(unpaid.status).toBe(422);
    expect(await unpaid.json()).toMatchObject({ code: "ORDER_NOT_PAID", trade_state: "NOTPAY" });
    const unknown = await get("TEA20261204199");
    expect(unknown.status).toBe(404);
    expect(stub.received.filter((r) => r.url.includes("TEA20261204199")).map((r) => r.status)).toEqual([404]);

    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "order.imported"));
    expect(audits.map((a) => a.actorLabel).sort()).toEqual([
      expect.stringMatching(/^api-key:/),
      "operator@tea.example",
    ]);
  });
});
