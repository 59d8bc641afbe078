import { generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setDbForTests } from "@/lib/db/client";
import { refunds, type Refund } from "@/lib/db/schema";
import { consoleGateways } from "@/lib/jobs/start";
import { requestRefund } from "@/lib/refunds/request";
import { submitRefund } from "@/lib/refunds/submit";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { SYSTEM_ACTOR } from "@/lib/audit/append";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest } from "@/tests/fixtures/merchant-api";
import { createPaidOrder } from "@/tests/fixtures/orders";
import { realMerchant, type RealMerchant } from "@/tests/fixtures/real-merchant";
import type { SigningMode } from "@/tests/wechatpay-doc-stub/stub";

vi.mock("@/lib/jobs/boss", () => ({ getBoss: async () => ({ send: async () => "job", insert: async () => {} }) }));
const { POST: notify } = await import("@/app/api/notify/refund/route");
const { POST: apiRefund } = await import("@/app/api/v1/refunds/route");

const NOTIFY_URL = "https://refunds.shop.example/api/notify/refund";
const APPLY = "/v3/refund/domestic/refunds";

/**
 * The places where our client and our simulator could share a misunderstanding, each against the stub written from
 * WeChat Pay's documentation, for a merchant that is not the demo one.
 */
describe("WeChat Pay protocol edges against the documentation stub", () => {
  let t: TestDatabase | undefined;
  let merchant: RealMerchant | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    setDbForTests(undefined);
    await merchant?.stub.close();
    await t?.drop();
    t = merchant = undefined;
  });

  /** An empty console configured for a fresh merchant of the stub's, with `env` changes applied over its variables. */
  async function consoleFor(options: { mode?: SigningMode; publicKey?: boolean; env?: Record<string, string> } = {}) {
    merchant = await realMerchant(options);
    t = await createTestDb();
    setDbForTests(t.db);
    for (const [name, value] of Object.entries({ ...merchant.env, ...options.env })) vi.stubEnv(name, value);
    const started = await setUpMerchants(t.db, process.env);
    if (!("merchant" in started.configured)) throw new Error(`not configured: ${JSON.stringify(started.configured)}`);
    const merchantId = started.configured.merchant.id;
    const db = t.db;
    const stub = merchant.stub;
    return {
      db,
      stub,
      async refund(amountFen = 500, reason = "质量问题"): Promise<Refund> {
        const order = await createPaidOrder(db, { merchantId, totalFen: 2_000 });
        const requested = await requestRefund(
          db,
          { merchantId: order.merchantId, orderId: order.id, amountFen, reason },
          { actor: SYSTEM_ACTOR, userId: null, orderIntervalMs: 0 },
        );
        if (!requested.ok) throw new Error(requested.error.code);
        return requested.value;
      },
      submit: (refund: Refund) => submitRefund(db, consoleGateways(db), refund.id, { notifyUrl: NOTIFY_URL }),
      row: async (refund: Refund) => (await db.select().from(refunds).where(eq(refunds.id, refund.id)))[0]!,
      deliver: (callback: { headers: Record<string, string>; body: string }) =>
        notify(new Request(NOTIFY_URL, { method: "POST", headers: callback.headers, body: callback.body })),
      applies: () => stub.received.filter((r) => r.method === "POST" && r.url === APPLY),
    };
  }

  it("in WeChat's switch period, names the public key on every request and verifies answers and callbacks signed with either key", async () => {
    const c = await consoleFor({ mode: "switching" });
    const first = await c.refund();
    expect(await c.submit(first)).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(c.applies()[0]!.headers["wechatpay-serial"]).toBe(merchant!.env.WECHATPAY_PUBLIC_KEY_ID);

    const second = await c.refund();
    expect(await c.submit(second)).toEqual({ kind: "settled", status: "PROCESSING" });
    expect((await c.deliver(c.stub.refundCallback(first.outRefundNo, "SUCCESS", "platform"))).status).toBe(204);
    expect((await c.deliver(c.stub.refundCallback(second.outRefundNo, "SUCCESS", "publicKey"))).status).toBe(204);
    expect(await c.row(first)).toMatchObject({ status: "SUCCESS" });
    expect(await c.row(second)).toMatchObject({ status: "SUCCESS" });
  });

  it("with a public key configured, still verifies answers WeChat signs with the platform certificate, downloading it", async () => {
    const c = await consoleFor({ mode: "platform", publicKey: true });
    expect(await c.submit(await c.refund())).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(c.stub.received.some((r) => r.url === "/v3/certificates" && r.status === 200)).toBe(true);
  });

  it("once the migration is finished (platform certificates retired), refuses a callback signed with a certificate", async () => {
    const c = await consoleFor({ mode: "publicKey", env: { WECHATPAY_PLATFORM_CERTIFICATES: "retired" } });
    const refund = await c.refund();
    await c.submit(refund);
    const answer = await c.deliver(c.stub.refundCallback(refund.outRefundNo, "SUCCESS", "platform"));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await c.row(refund)).toMatchObject({ status: "PROCESSING" });
    expect(c.stub.received.some((r) => r.url === "/v3/certificates")).toBe(false);
  });

  it("ends a refund as a configuration error on WeChat's unsigned 401 SIGN_ERROR (a key that does not match the serial), never retrying it", async () => {
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const c = await consoleFor({ env: { WECHATPAY_MERCHANT_PRIVATE_KEY: otherKey } });
    const refund = await c.refund();
    expect(await c.submit(refund)).toEqual({ kind: "settled", status: "FAILED" });
    expect(c.applies()).toEqual([expect.objectContaining({ authenticated: false, status: 401 })]);
    const failed = await c.row(refund);
    expect(failed).toMatchObject({ status: "FAILED", lastErrorCode: "SIGN_ERROR", outcomeUnknown: false });
    expect(failed.lastErrorMessage).toContain("unsigned error answer");
  });

  it("retries a 429 with a code it does not know, under the same number", async () => {
    const c = await consoleFor();
    c.stub.failNext({ status: 429, code: "TOO_MANY_REQUESTS_FOR_NOW", message: "请求过快" });
    const refund = await c.refund();
    expect(await c.submit(refund)).toMatchObject({ kind: "retry", reason: "TOO_MANY_REQUESTS_FOR_NOW" });
    expect(await c.row(refund)).toMatchObject({ status: "PENDING", lastErrorCode: "TOO_MANY_REQUESTS_FOR_NOW" });
    expect(await c.submit(refund)).toEqual({ kind: "settled", status: "PROCESSING" });
    expect(c.applies().map((r) => JSON.parse(r.body).out_refund_no)).toEqual([refund.outRefundNo, refund.outRefundNo]);
  });

  it("refuses a 27-character Chinese reason before WeChat, saying it is 81 bytes", async () => {
    const c = await consoleFor();
    const order = await createPaidOrder(c.db, {
      merchantId: (await c.refund()).merchantId,
      outTradeNo: "LONGREASON1",
      totalFen: 1_000,
    });
    const answer = await apiRefund(
      apiRequest("POST", "/api/v1/refunds", {
        key: merchant!.apiKey,
        body: { out_trade_no: order.outTradeNo, amount: 100, reason: "退".repeat(27) },
      }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(await answer.json())).toMatch(/81 bytes of UTF-8; WeChat Pay allows at most 80/);
    expect(c.stub.received).toHaveLength(0);
  });

  it("refuses WeChat's signature probe without any effect", async () => {
    const c = await consoleFor();
    const refund = await c.refund();
    await c.submit(refund);
    const answer = await c.deliver(c.stub.probeCallback(refund.outRefundNo));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await c.row(refund)).toMatchObject({ status: "PROCESSING" });
  });
});
