import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { authOptions } from "@/app/_server/auth-options";
import { hashPassword } from "@/lib/auth/password";
import { setDbForTests } from "@/lib/db/client";
import { merchants, users } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { requestRefund } from "@/lib/refunds/request";
import { submitRefund } from "@/lib/refunds/submit";
import { gatewayForMerchant } from "@/lib/wechatpay/merchant-gateways";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest, createTestKey } from "@/tests/fixtures/merchant-api";
import { MERCHANT_ENV, post, processingRefund, refundResource, v3Callback } from "@/tests/fixtures/notifications";
import { createPaidOrder, createUser } from "@/tests/fixtures/orders";

vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => {
    throw new Error("queue unavailable");
  },
}));

/**
 * What the console logs while things go wrong — failed sign-ins, API requests with keys, a queue that is down,
 * callbacks carrying cookies and tokens, WeChat unreachable — captured from the real logger (its redaction
 * included) and searched for every secret in play.
 */
describe("secrets never reach the logs", () => {
  let t: TestDatabase;
  const lines: string[] = [];
  const PASSWORD = "correct-horse-battery-log-test";
  const COOKIE = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.secret-session-value";
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    for (const [name, value] of Object.entries(MERCHANT_ENV)) vi.stubEnv(name, value);
    vi.stubEnv("AUTH_SECRET", "auth-secret-for-the-log-test-0123456789");
    vi.stubEnv("DATABASE_URL", t.url);
    const stream = (log as unknown as Record<symbol, { write: (line: string) => boolean }>)[pino.symbols.streamSym]!;
    stream.write = (line: string) => lines.push(line) > 0;
    log.level = "trace";
    await t.db.insert(users).values({
      email: "logtest@example.com",
      name: "Log",
      passwordHash: await hashPassword(PASSWORD),
    });
    const [merchant] = await t.db.select().from(merchants);
    apiKey = await createTestKey(t.db, merchant?.id ?? (await createPaidOrder(t.db)).merchantId);
  });
  afterAll(async () => {
    log.level = "silent";
    setDbForTests(undefined);
    vi.unstubAllEnvs();
    await t.drop();
  });

  it("logs what happened without a key, password, token or cookie", async () => {
    // Failed and successful sign-ins.
    const authorize = (
      authOptions().providers[0] as unknown as { options: { authorize: (c: unknown, r: unknown) => Promise<unknown> } }
    ).options.authorize;
    await authorize(
      { email: "logtest@example.com", password: `${PASSWORD}x` },
      { headers: { "x-forwarded-for": "203.0.113.9" } },
    );
    await authorize({ email: "logtest@example.com", password: PASSWORD }, { headers: {} });

    // The merchant API with a key while the queue is down, and with a wrong key.
    const order = await createPaidOrder(t.db);
    const { POST } = await import("@/app/api/v1/refunds/route");
    await POST(
      apiRequest("POST", "/api/v1/refunds", { key: apiKey, body: { out_trade_no: order.outTradeNo, amount: 100 } }),
    );
    await POST(
      apiRequest("POST", "/api/v1/refunds", {
        key: `${apiKey}x`,
        body: { out_trade_no: order.outTradeNo, amount: 100 },
      }),
    );

    // Callbacks that carry credentials a misrouted client attached, accepted and refused.
    const operator = await createUser(t.db, "operator");
    const context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    const refund = await processingRefund(t.db, context);
    const { POST: notify } = await import("@/app/api/notify/refund/route");
    const genuine = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");
    const extra = { Cookie: COOKIE, Authorization: `Bearer ${apiKey}` };
    await notify(post("/api/notify/refund", genuine.body, { ...genuine.headers, ...extra }));
    await notify(post("/api/notify/refund", `${genuine.body} `, { ...genuine.headers, ...extra }));

    // WeChat Pay unreachable while submitting with the merchant's keys.
    const pending = await requestRefund(
      t.db,
      await createPaidOrder(t.db).then((o) => ({
        merchantId: o.merchantId,
        orderId: o.id,
        amountFen: 100,
        reason: "log test",
      })),
      context,
    );
    if (!pending.ok) throw new Error(pending.error.code);
    await submitRefund(t.db, (merchantId) => gatewayForMerchant(t.db, merchantId), pending.value.id);

    const logged = lines.join("");
    // The queue failure, the applied and the refused callback, the failed submission.
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const privateKeyLines = MERCHANT_ENV.WECHATPAY_MERCHANT_PRIVATE_KEY!.split("\n").filter((l) => l.length > 40);
    const secrets = {
      apiV3Key: MERCHANT_ENV.WECHATPAY_APIV3_KEY!,
      apiV2Key: MERCHANT_ENV.WECHATPAY_APIV2_KEY!,
      privateKey: privateKeyLines[1]!,
      apiKey,
      password: PASSWORD,
      cookie: "secret-session-value",
      authSecret: "auth-secret-for-the-log-test-0123456789",
    };
    expect(
      Object.entries(secrets)
        .filter(([, value]) => logged.includes(value))
        .map(([name]) => name),
    ).toEqual([]);
    expect(logged).not.toContain("PRIVATE KEY");
  });
});
