import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser } from "../../tests/fixtures/orders";
import { merchantCredentials, merchants, orders, userMerchants } from "../db/schema";
import { makeTestPki, type TestPki } from "../wechatpay/v2/fixtures/tls-gateway";
import { merchantWechatPay } from "../wechatpay/merchant-gateways";
import { DEMO_V2_MERCHANT } from "./demo-seed-v2";
import { ensureDemoV2Credentials } from "./demo-v2-credentials";
import { setUpMerchants } from "./merchants-at-start";

const masterKey = randomBytes(32);
const env = { APP_ENCRYPTION_KEY: masterKey.toString("hex"), WECHATPAY_BASE_URL: "https://127.0.0.1:4011" };
const pkis: TestPki[] = [makeTestPki(DEMO_V2_MERCHANT.mchid), makeTestPki(DEMO_V2_MERCHANT.mchid)];
afterAll(() => pkis.forEach((p) => p.cleanup()));

const material = (pki: TestPki, apiV2Key = "a".repeat(32)) => ({
  apiV2Key,
  p12: pki.clientP12,
  p12Password: DEMO_V2_MERCHANT.mchid,
});

describe("the APIv2 demo merchant", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.drop());

  const v2Merchant = async () =>
    (await t.db.select().from(merchants).where(eq(merchants.mchid, DEMO_V2_MERCHANT.mchid)))[0];
  const versions = async (merchantId: string) =>
    t.db
      .select()
      .from(merchantCredentials)
      .where(eq(merchantCredentials.merchantId, merchantId))
      .orderBy(asc(merchantCredentials.version));

  it("is seeded with the demo, with paid orders and keys of its own (credentials_ref db), once", async () => {
    const first = await setUpMerchants(t.db, {});
    expect(first.demo.seeded).toBe(true);
    expect(first.demoApiV2).toEqual({ seeded: true, orders: 24 });
    const merchant = await v2Merchant();
    expect(merchant).toMatchObject({ apiVersion: "v2", credentialsRef: "db", appid: DEMO_V2_MERCHANT.appid });
    const counts = { merchants: await t.db.$count(merchants), orders: await t.db.$count(orders) };

    expect((await setUpMerchants(t.db, {})).demoApiV2).toEqual({ seeded: false, orders: 0 });
    expect({ merchants: await t.db.$count(merchants), orders: await t.db.$count(orders) }).toEqual(counts);
    expect(await t.db.$count(orders, eq(orders.merchantId, merchant!.id))).toBe(24);
  });

  it("is added to a demo database of an earlier version, but never without the demo", async () => {
    expect((await setUpMerchants(t.db, { SEED_DEMO: "false" })).demoApiV2.seeded).toBe(false);
    expect(await v2Merchant()).toBeUndefined();
    await setUpMerchants(t.db, {});
    await t.db.delete(orders).where(eq(orders.merchantId, (await v2Merchant())!.id));
    await t.db.delete(merchants).where(eq(merchants.mchid, DEMO_V2_MERCHANT.mchid));
    // The APIv3 demo merchant is there, the APIv2 one is not: the state an upgraded demo starts in. Its people
    // (here an operator) work for the APIv2 merchant too, in the same role.
    const operator = await createUser(t.db, "operator", "demo-operator@example.com");
    expect((await setUpMerchants(t.db, {})).demoApiV2).toEqual({ seeded: true, orders: 24 });
    const memberships = await t.db.select().from(userMerchants).where(eq(userMerchants.userId, operator.id));
    expect(memberships.map((m) => m.role)).toEqual(["operator", "operator"]);
    expect(memberships.map((m) => m.merchantId)).toContain((await v2Merchant())!.id);
    expect((await setUpMerchants(t.db, { SEED_DEMO: "false" })).demoApiV2.seeded).toBe(false);
  });

  it("gets the simulator's material as one sealed, active version, kept across restarts and replaced when it changes", async () => {
    expect(await ensureDemoV2Credentials(t.db, masterKey, material(pkis[0]!))).toBe("absent");
    await setUpMerchants(t.db, {});
    const merchant = (await v2Merchant())!;

    expect(await ensureDemoV2Credentials(t.db, masterKey, material(pkis[0]!))).toBe("added");
    expect(await ensureDemoV2Credentials(t.db, masterKey, material(pkis[0]!))).toBe("unchanged");
    expect((await versions(merchant.id)).map((v) => [v.version, v.status])).toEqual([[1, "active"]]);

    // The console wires it as an APIv2 merchant with the p12, from the sealed row only.
    const wired = await merchantWechatPay(t.db, merchant.id, env);
    expect(wired.ok).toBe(true);
    if (!wired.ok) return;
    expect(wired.value.credentials.p12?.equals(pkis[0]!.clientP12)).toBe(true);
    expect(wired.value.credentials).toMatchObject({ apiV2Key: "a".repeat(32), p12Password: DEMO_V2_MERCHANT.mchid });
    expect(wired.value.credentialVersion).toEqual({ version: 1, status: "active" });

    // New material (the PKI was renewed): a new active version; the old certificate no longer works, so it is retired.
    expect(await ensureDemoV2Credentials(t.db, masterKey, material(pkis[1]!))).toBe("added");
    expect(await ensureDemoV2Credentials(t.db, masterKey, material(pkis[1]!, "b".repeat(32)))).toBe("added");
    // A new master key (.data/encryption-key lost): the active version no longer opens, so it is sealed anew.
    expect(await ensureDemoV2Credentials(t.db, randomBytes(32), material(pkis[1]!, "b".repeat(32)))).toBe("added");
    expect((await versions(merchant.id)).map((v) => [v.version, v.status])).toEqual([
      [1, "retired"],
      [2, "retired"],
      [3, "retired"],
      [4, "active"],
    ]);
  });
});
