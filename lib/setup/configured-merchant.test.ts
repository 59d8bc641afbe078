import { generateKeyPairSync, randomBytes, randomInt } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { apiKeys, auditLog, merchants, orders } from "../db/schema";
import { DEMO_MERCHANT } from "./demo-seed";
import { setUpMerchants } from "./merchants-at-start";

const API_KEY = `rk_live_${randomBytes(24).toString("hex")}`;

/** A merchant of its own: a random mchid and freshly generated keys, nothing of the demo's. */
function realMerchantEnv(over: Record<string, string | undefined> = {}) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { publicKey: wechatPublicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    WECHATPAY_MCHID: String(randomInt(1_600_000_000, 1_699_999_999)),
    WECHATPAY_MERCHANT_SERIAL_NO: randomBytes(20).toString("hex").toUpperCase(),
    WECHATPAY_MERCHANT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    WECHATPAY_APIV3_KEY: randomBytes(16).toString("hex"),
    WECHATPAY_PUBLIC_KEY_ID: `PUB_KEY_ID_0116${randomBytes(8).toString("hex").toUpperCase()}`,
    WECHATPAY_PUBLIC_KEY: wechatPublicKey.export({ type: "spki", format: "pem" }).toString(),
    WECHATPAY_BASE_URL: "https://wechatpay.example.test",
    WECHATPAY_MERCHANT_NAME: "Real Shop 真实商户",
    MERCHANT_API_KEY: API_KEY,
    ...over,
  };
}

describe("merchants at start", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.drop());

  const bootstrapKey = async () => (await t.db.select().from(apiKeys))[0];

  it("with real credentials, creates exactly that merchant, scopes the API key to it, and seeds no demo", async () => {
    const env = realMerchantEnv();
    const started = await setUpMerchants(t.db, env);

    expect(started.configured).toMatchObject({ kind: "created", problems: [] });
    expect(started.demo).toEqual({ seeded: false, orders: 0 });
    const rows = await t.db.select().from(merchants);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      mchid: env.WECHATPAY_MCHID,
      displayName: "Real Shop 真实商户",
      mode: "direct",
      apiVersion: "v3",
      credentialsRef: "env",
      merchantSerialNo: env.WECHATPAY_MERCHANT_SERIAL_NO,
    });
    expect(rows.some((m) => m.mchid === DEMO_MERCHANT.mchid)).toBe(false);
    expect(await t.db.$count(orders)).toBe(0);
    expect(await bootstrapKey()).toMatchObject({ merchantId: rows[0]!.id });
    // The keys stay in the environment: nothing secret is written anywhere in the database.
    const everything =
      JSON.stringify(await t.db.select().from(merchants)) + JSON.stringify(await t.db.select().from(auditLog));
    expect(everything).not.toContain(env.WECHATPAY_APIV3_KEY);
    expect(everything).not.toContain("PRIVATE KEY");
  });

  it("keeps the same merchant across restarts and follows the variables when they change", async () => {
    const env = realMerchantEnv();
    const first = await setUpMerchants(t.db, env);
    expect((await setUpMerchants(t.db, env)).configured).toMatchObject({ kind: "kept" });
    const renamed = await setUpMerchants(t.db, { ...env, WECHATPAY_MERCHANT_NAME: "Renamed 改名" });
    expect(renamed.configured).toMatchObject({ kind: "updated" });
    const [row] = await t.db.select().from(merchants);
    expect(row).toMatchObject({ displayName: "Renamed 改名" });
    expect("merchant" in first.configured && first.configured.merchant.id).toBe(row!.id);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "merchant.configured"));
    expect(audits).toHaveLength(2);
    expect(audits[1]!.details).toMatchObject({
      before: { displayName: "Real Shop 真实商户" },
      after: { displayName: "Renamed 改名" },
    });
  });

  it("records whether platform certificates are still trusted beside the public key, and follows a change", async () => {
    const env = realMerchantEnv();
    await setUpMerchants(t.db, env);
    expect(await t.db.select({ p: merchants.platformCertificates }).from(merchants)).toEqual([{ p: "trusted" }]);
    expect(
      (await setUpMerchants(t.db, { ...env, WECHATPAY_PLATFORM_CERTIFICATES: "retired" })).configured,
    ).toMatchObject({ kind: "updated" });
    expect(await t.db.select({ p: merchants.platformCertificates }).from(merchants)).toEqual([{ p: "retired" }]);
  });

  it("records service-provider mode and APIv2 from the variables", async () => {
    const subMchid = String(randomInt(1_700_000_000, 1_799_999_999));
    const env = realMerchantEnv({
      WECHATPAY_SUB_MCHID: subMchid,
      WECHATPAY_SUB_APPID: "wx1234567890abcdef",
      WECHATPAY_APPID: "wxabcdef1234567890",
      WECHATPAY_API_VERSION: "v2",
      WECHATPAY_APIV2_KEY: randomBytes(16).toString("hex"),
    });
    const started = await setUpMerchants(t.db, env);
    expect(started.configured).toMatchObject({ kind: "created", problems: [] });
    expect(await t.db.select().from(merchants)).toEqual([
      expect.objectContaining({
        mchid: env.WECHATPAY_MCHID,
        subMchid,
        subAppid: "wx1234567890abcdef",
        mode: "partner",
        apiVersion: "v2",
      }),
    ]);
  });

  const problemCases = [
    { name: "APIv3 without its key", over: { WECHATPAY_APIV3_KEY: undefined }, problem: /WECHATPAY_APIV3_KEY/ },
    {
      name: "APIv3 without the serial number",
      over: { WECHATPAY_MERCHANT_SERIAL_NO: undefined },
      problem: /WECHATPAY_MERCHANT_SERIAL_NO/,
    },
    {
      name: "APIv2 without its key",
      over: { WECHATPAY_API_VERSION: "v2", WECHATPAY_APPID: "wxabcdef1234567890" },
      problem: /WECHATPAY_APIV2_KEY/,
    },
  ];
  it.each(problemCases)("records the merchant but names the problem: $name", async ({ over, problem }) => {
    const started = await setUpMerchants(t.db, realMerchantEnv(over));
    expect(started.configured.kind).toBe("created");
    expect("problems" in started.configured && started.configured.problems.join(" ")).toMatch(problem);
  });

  const invalidCases = [
    { name: "a merchant ID that is not digits", over: { WECHATPAY_MCHID: "19000-0109" }, problem: /WECHATPAY_MCHID/ },
    {
      name: "a private key that is not a key",
      over: { WECHATPAY_MERCHANT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" },
      problem: /WECHATPAY_MERCHANT_PRIVATE_KEY/,
    },
    {
      name: "an APIv3 key of the wrong length",
      over: { WECHATPAY_APIV3_KEY: "short" },
      problem: /WECHATPAY_APIV3_KEY.*32 bytes/,
    },
    { name: "an unknown API version", over: { WECHATPAY_API_VERSION: "v4" }, problem: /WECHATPAY_API_VERSION/ },
  ];
  it.each(invalidCases)("writes nothing, not even the demo, for $name", async ({ over, problem }) => {
    const started = await setUpMerchants(t.db, realMerchantEnv(over));
    expect(started.configured.kind).toBe("invalid");
    expect("problems" in started.configured && started.configured.problems.join(" ")).toMatch(problem);
    expect(await t.db.$count(merchants)).toBe(0);
  });

  it("seeds the demo only without real credentials, and never with SEED_DEMO=false", async () => {
    expect((await setUpMerchants(t.db, { SEED_DEMO: "false" })).demo.seeded).toBe(false);
    expect(await t.db.$count(merchants)).toBe(0);
    const demo = await setUpMerchants(t.db, { MERCHANT_API_KEY: API_KEY });
    expect(demo).toMatchObject({ configured: { kind: "none" }, demo: { seeded: true } });
    expect(await bootstrapKey()).toMatchObject({ merchantId: null });
  });

  it("on a database that had the demo, adds the real merchant beside it and moves the API key to it, losing nothing", async () => {
    await setUpMerchants(t.db, { MERCHANT_API_KEY: API_KEY });
    const demoOrders = await t.db.$count(orders);
    expect(demoOrders).toBeGreaterThan(0);

    const env = realMerchantEnv();
    const started = await setUpMerchants(t.db, env);

    expect(started.demo.seeded).toBe(false);
    expect(await t.db.$count(orders)).toBe(demoOrders);
    const real = (await t.db.select().from(merchants).where(eq(merchants.mchid, env.WECHATPAY_MCHID)))[0]!;
    expect(await bootstrapKey()).toMatchObject({ merchantId: real.id, revokedAt: null });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "api_key.scoped"))).toHaveLength(1);
  });
});
