import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setDbForTests } from "@/lib/db/client";
import { merchants, notifications, orders, refunds } from "@/lib/db/schema";
import { consoleGateways } from "@/lib/jobs/start";
import { submitRefund } from "@/lib/refunds/submit";
import { DEMO_MERCHANT } from "@/lib/setup/demo-seed";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest } from "@/tests/fixtures/merchant-api";
import { parseAuthorization } from "@/tests/wechatpay-doc-stub/wire";
import type { WechatPayStub } from "@/tests/wechatpay-doc-stub/stub";
import { realMerchant } from "@/tests/fixtures/real-merchant";

const queued = vi.hoisted(() => [] as number[]);
vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => ({
    insert: async (jobs: { data: { refundId: number } }[]) => {
      for (const job of jobs) queued.push(job.data.refundId);
    },
  }),
}));

const { POST: recordOrder } = await import("@/app/api/v1/orders/route");
const { POST: requestRefund } = await import("@/app/api/v1/refunds/route");
const { POST: notify } = await import("@/app/api/notify/refund/route");

const NOTIFY_URL = "https://refunds.shop.example/api/notify/refund";

/**
 * A merchant's first day: an empty database and nothing but its own WECHATPAY_* variables — a random mchid, its own
 * keys, a WeChat Pay public key — pointing at a WeChat Pay that is not the bundled simulator but a stub written from
 * WeChat's documentation. The shop's back end records an order and asks for a refund through the merchant API; the
 * refund reaches that gateway signed for that mchid, WeChat's callback settles it, and no demo exists anywhere.
 */
describe("a real merchant's first refund", () => {
  let t: TestDatabase;
  let stub: WechatPayStub;
  let mchid: string;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    const merchant = await realMerchant();
    ({ stub, mchid, apiKey } = merchant);
    const env = merchant.env;
    // The console reads its configuration from the environment, as `npm start` passes it.
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const started = await setUpMerchants(t.db, process.env);
    expect(started.configured).toMatchObject({ kind: "created", problems: [] });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    setDbForTests(undefined);
    await stub.close();
    await t.drop();
  });

  const call = (handler: (r: Request) => Promise<Response>, path: string, body: unknown) =>
    handler(apiRequest("POST", path, { key: apiKey, body }));

  it("records the order under that merchant, sends the refund signed for its mchid, and settles it on WeChat's callback", async () => {
    const recorded = await call(recordOrder, "/api/v1/orders", {
      out_trade_no: "TEA20261204001",
      transaction_id: "4200002345202612041234567890",
      total: 8_800,
      currency: "CNY",
      paid_at: "2026-12-03T15:20:00+08:00",
      description: "Oolong 乌龙茶 250g",
    });
    expect(recorded.status).toBe(201);
    const requested = await call(requestRefund, "/api/v1/refunds", {
      out_trade_no: "TEA20261204001",
      out_refund_no: "TEAR20261204001",
      amount: 3_300,
      reason: "顾客退回一罐",
    });
    expect(requested.status).toBe(202);

    const [merchant] = await t.db.select().from(merchants);
    const [refund] = await t.db.select().from(refunds);
    expect(refund).toMatchObject({ merchantId: merchant!.id, outRefundNo: "TEAR20261204001", status: "PENDING" });
    expect(queued).toEqual([refund!.id]);

    // What the job worker does with the queued refund.
    expect(await submitRefund(t.db, consoleGateways(t.db), refund!.id, { notifyUrl: NOTIFY_URL })).toEqual({
      kind: "settled",
      status: "PROCESSING",
    });
    const apply = stub.received.find((r) => r.method === "POST" && r.url === "/v3/refund/domestic/refunds")!;
    expect(apply).toMatchObject({ authenticated: true, status: 200 });
    expect(parseAuthorization(apply.headers.authorization as string)).toMatchObject({
      scheme: "WECHATPAY2-SHA256-RSA2048",
      mchid,
    });
    expect(JSON.parse(apply.body)).toMatchObject({
      transaction_id: "4200002345202612041234567890",
      out_refund_no: "TEAR20261204001",
      reason: "顾客退回一罐",
      notify_url: NOTIFY_URL,
      amount: { refund: 3_300, total: 8_800, currency: "CNY" },
    });

    const callback = stub.refundCallback("TEAR20261204001", "SUCCESS");
    expect(callback.url).toBe(NOTIFY_URL);
    const answer = await notify(
      new Request(NOTIFY_URL, { method: "POST", headers: callback.headers, body: callback.body }),
    );
    expect(answer.status).toBeLessThan(300);

    const [settled] = await t.db.select().from(refunds).where(eq(refunds.id, refund!.id));
    expect(settled).toMatchObject({ status: "SUCCESS", refundId: stub.refunds.get("TEAR20261204001")!.refund_id });
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ merchantId: merchant!.id, refundedFen: 3_300, inFlightFen: 0, refundCount: 1 });
    const [stored] = await t.db.select().from(notifications);
    expect(stored).toMatchObject({ merchantId: merchant!.id, outcome: "applied" });

    // Nothing of the demo: one merchant, the configured one, and the one order the shop recorded.
    expect(await t.db.select({ mchid: merchants.mchid }).from(merchants)).toEqual([{ mchid }]);
    expect(mchid).not.toBe(DEMO_MERCHANT.mchid);
    expect(await t.db.$count(orders)).toBe(1);
  });
});
