import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { addVersion, createDbMerchant, keyMaterial, masterKeyEnv } from "../../tests/fixtures/db-merchants";
import { merchantCredentials, merchants } from "../db/schema";
import { candidatesAfterRefusal, CANDIDATES_FRESH_MS, recentCandidates } from "./callback-candidates";

const summary = async (
  loading: Promise<{ merchant: { displayName: string }; credentialVersion?: { version: number } }[]> | undefined,
) => loading && (await loading).map((c) => `${c.merchant.displayName} v${c.credentialVersion?.version}`);

describe("recentCandidates: the merchants callbacks are opened with, kept for a few seconds", () => {
  let t: TestDatabase;
  let merchantId: string;
  const { masterKey, env } = masterKeyEnv();
  // Each test starts long after the previous one's reads, so it begins with a fresh read at `now`.
  let clock = Date.now();
  const later = () => (clock += 10 * CANDIDATES_FRESH_MS);

  beforeAll(async () => {
    vi.stubEnv("APP_ENCRYPTION_KEY", env.APP_ENCRYPTION_KEY!);
    t = await createTestDb();
    merchantId = (await createDbMerchant(t.db, masterKey, { mchid: "1900000301", displayName: "First" })).merchant.id;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await t.drop();
  });

  it("keeps what it read, so a change made elsewhere shows only after CANDIDATES_FRESH_MS", async () => {
    const now = later();
    expect(await summary(recentCandidates(t.db, now))).toEqual(["First v1"]);
    // Another instance renames the merchant and retires its version: nothing in this process hears of it.
    await t.db.update(merchants).set({ displayName: "Renamed" }).where(eq(merchants.id, merchantId));
    expect(await summary(recentCandidates(t.db, now + 1000))).toEqual(["First v1"]);
    expect(await summary(recentCandidates(t.db, now + CANDIDATES_FRESH_MS))).toEqual(["Renamed v1"]);
  });

  it("applies a change made through this process's merchant services at once", async () => {
    const now = later();
    await summary(recentCandidates(t.db, now));
    await addVersion(t.db, masterKey, merchantId, keyMaterial("1900000301"), false);
    expect(await summary(recentCandidates(t.db, now + 1))).toEqual(["Renamed v1", "Renamed v2"]);
  });

  it("reads again after a refusal, at most once a second, so another instance's new keys are found at once", async () => {
    const now = later();
    await summary(recentCandidates(t.db, now));
    await t.db.update(merchantCredentials).set({ status: "retired" }).where(eq(merchantCredentials.version, 2));
    expect(candidatesAfterRefusal(t.db, now + 500)).toBeUndefined();
    expect(await summary(candidatesAfterRefusal(t.db, now + 1000))).toEqual(["Renamed v1"]);
    // That read is now the kept one: a flood of refusals right after it reads nothing more.
    expect(candidatesAfterRefusal(t.db, now + 1500)).toBeUndefined();
    expect(await summary(recentCandidates(t.db, now + 1500))).toEqual(["Renamed v1"]);
  });
});
