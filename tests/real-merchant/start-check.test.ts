import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfiguredMerchantAtStart, configurationProblems } from "@/lib/ops/configuration-status";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { realMerchant, type RealMerchant } from "@/tests/fixtures/real-merchant";

const NOTIFY_URL = "https://refunds.shop.example/api/notify/refund";

/** The configured merchant is checked when an instance starts; what is wrong stays on the dashboard until a check passes. */
describe("the configuration check at start", () => {
  let t: TestDatabase;
  let merchant: RealMerchant;
  beforeAll(async () => {
    t = await createTestDb();
    merchant = await realMerchant();
    await setUpMerchants(t.db, merchant.env);
  });
  afterAll(async () => {
    await merchant.stub.close();
    await t.drop();
  });

  it("records a wrong APIv3 key for the banner, never throws, and clears it once the configuration works", async () => {
    await checkConfiguredMerchantAtStart(t.db, NOTIFY_URL, {
      ...merchant.env,
      WECHATPAY_APIV3_KEY: randomBytes(16).toString("hex"),
    });
    const [status] = configurationProblems().filter((s) => s.merchant.mchid === merchant.mchid);
    expect(status?.problems.map((p) => p.code)).toEqual(["APIV3_KEY_WRONG"]);

    await checkConfiguredMerchantAtStart(t.db, NOTIFY_URL, merchant.env);
    expect(configurationProblems().filter((s) => s.merchant.mchid === merchant.mchid)).toEqual([]);
  });

  it("does nothing without a configured merchant, and survives a gateway that is gone", async () => {
    await expect(checkConfiguredMerchantAtStart(t.db, NOTIFY_URL, {})).resolves.toBeUndefined();
    await checkConfiguredMerchantAtStart(t.db, NOTIFY_URL, {
      ...merchant.env,
      WECHATPAY_BASE_URL: "http://127.0.0.1:1",
    });
    const [status] = configurationProblems().filter((s) => s.merchant.mchid === merchant.mchid);
    expect(status?.problems.map((p) => p.code)).toEqual(["BASE_URL_UNREACHABLE"]);
  });
});
