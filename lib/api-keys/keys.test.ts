import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser, defaultMerchantId } from "../../tests/fixtures/orders";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { auditLog, apiKeys } from "../db/schema";
import {
  authenticateApiKey,
  BOOTSTRAP_KEY_NAME,
  createApiKey,
  ensureBootstrapApiKey,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
} from "./keys";

describe("API keys", () => {
  let t: TestDatabase;
  let admin: Awaited<ReturnType<typeof createUser>>;
  const actor = () => ({ id: admin.id, label: admin.email, ip: "10.0.0.1" });

  beforeAll(async () => {
    t = await createTestDb();
    admin = await createUser(t.db, "admin");
  });
  afterAll(() => t.drop());

  it("creates a key shown once: rk_live_ and 32 base62 characters, stored only as its SHA-256, audited", async () => {
    const merchant = await createMerchant(t.db);
    const { key, apiKey } = await createApiKey(t.db, {
      name: " Shop back end ",
      merchantId: merchant.id,
      createdBy: admin.id,
      actor: actor(),
    });
    expect(key).toMatch(/^rk_live_[0-9A-Za-z]{32}$/);
    expect(apiKey).toMatchObject({
      name: "Shop back end",
      prefix: key.slice(0, 12),
      merchantId: merchant.id,
      createdBy: admin.id,
      revokedAt: null,
    });
    expect(apiKey).not.toHaveProperty("keyHash");
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(12));
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.targetId, apiKey.id));
    expect(audit).toMatchObject({
      action: "api_key.created",
      actorLabel: admin.email,
      ip: "10.0.0.1",
      details: { prefix: apiKey.prefix },
    });
    expect(JSON.stringify(audit)).not.toContain(key.slice(12));
  });

  it("never hands out the same key twice", async () => {
    const keys = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createApiKey(t.db, { name: `k${i}`, createdBy: null, actor: actor() })),
    );
    expect(new Set(keys.map((k) => k.key)).size).toBe(20);
  });

  it("authenticates a valid key and refuses unknown, malformed and empty ones", async () => {
    const { key, apiKey } = await createApiKey(t.db, { name: "auth", createdBy: admin.id, actor: actor() });
    expect(await authenticateApiKey(t.db, key)).toEqual({
      keyId: apiKey.id,
      name: "auth",
      prefix: apiKey.prefix,
      merchantId: null,
    });
    expect(await authenticateApiKey(t.db, `${key.slice(0, -1)}${key.endsWith("x") ? "y" : "x"}`)).toBeNull();
    expect(await authenticateApiKey(t.db, `${key} `)).toBeNull();
    expect(await authenticateApiKey(t.db, "")).toBeNull();
    expect(await authenticateApiKey(t.db, null)).toBeNull();
    expect(await authenticateApiKey(t.db, "x".repeat(300))).toBeNull();
  });

  it("records last use at most once a minute", async () => {
    const { key, apiKey } = await createApiKey(t.db, { name: "busy", createdBy: null, actor: actor() });
    const lastUsed = async () => (await t.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)))[0]!.lastUsedAt;
    const start = new Date("2026-11-23T10:00:00Z");
    await authenticateApiKey(t.db, key, start);
    expect(await lastUsed()).toEqual(start);
    await Promise.all(
      [10_000, 20_000, 59_000].map((ms) => authenticateApiKey(t.db, key, new Date(start.getTime() + ms))),
    );
    expect(await lastUsed()).toEqual(start);
    const later = new Date(start.getTime() + 61_000);
    await authenticateApiKey(t.db, key, later);
    expect(await lastUsed()).toEqual(later);
  });

  it("revokes for good: the key stops working, the revocation is audited, a second revoke is refused", async () => {
    const merchantId = await defaultMerchantId(t.db);
    const { key, apiKey } = await createApiKey(t.db, {
      name: "to revoke",
      merchantId,
      createdBy: null,
      actor: actor(),
    });
    const other = await createMerchant(t.db, "Another shop");
    // Another merchant's admin cannot revoke it: to them the key does not exist.
    expect(await revokeApiKey(t.db, { id: apiKey.id, merchantId: other.id, actor: actor() })).toEqual({
      ok: false,
      error: { code: "API_KEY_NOT_FOUND" },
    });
    const revoked = await revokeApiKey(t.db, { id: apiKey.id, merchantId, actor: actor() });
    expect(revoked).toMatchObject({ ok: true, value: { id: apiKey.id } });
    expect(revoked.ok && revoked.value.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateApiKey(t.db, key)).toBeNull();
    expect(await revokeApiKey(t.db, { id: apiKey.id, merchantId, actor: actor() })).toEqual({
      ok: false,
      error: { code: "ALREADY_REVOKED" },
    });
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(await revokeApiKey(t.db, { id: unknown, merchantId, actor: actor() })).toEqual({
      ok: false,
      error: { code: "API_KEY_NOT_FOUND" },
    });
    const actions = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.targetId, apiKey.id));
    expect(actions.map((a) => a.action).sort()).toEqual(["api_key.created", "api_key.revoked"]);
    const listed = await listApiKeys(t.db, merchantId);
    expect(await listApiKeys(t.db, other.id)).toEqual([]);
    expect(listed.find((k) => k.id === apiKey.id)?.revokedAt).toBeInstanceOf(Date);
    expect(listed.every((k) => !("keyHash" in k))).toBe(true);
  });
});

describe("ensureBootstrapApiKey", () => {
  let t: TestDatabase;
  const first = `bootstrap-${"a".repeat(40)}`;
  const second = `rk_live_${"B".repeat(32)}`;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("does nothing without MERCHANT_API_KEY and refuses a short one", async () => {
    expect(await ensureBootstrapApiKey(t.db, undefined)).toEqual({ kind: "none" });
    expect(await ensureBootstrapApiKey(t.db, "  ")).toEqual({ kind: "none" });
    await expect(ensureBootstrapApiKey(t.db, "short-key")).rejects.toThrow(/MERCHANT_API_KEY/);
    expect(await t.db.$count(apiKeys)).toBe(0);
  });

  it("creates an unscoped key for the plaintext once and keeps it across restarts, also when two start together", async () => {
    const outcomes = await Promise.all([ensureBootstrapApiKey(t.db, first), ensureBootstrapApiKey(t.db, first)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["created", "kept"]);
    expect(await ensureBootstrapApiKey(t.db, first)).toMatchObject({
      kind: "kept",
      apiKey: { name: BOOTSTRAP_KEY_NAME, prefix: first.slice(0, 12), merchantId: null },
    });
    expect(await t.db.$count(apiKeys)).toBe(1);
    expect(await authenticateApiKey(t.db, first)).toMatchObject({ name: BOOTSTRAP_KEY_NAME, merchantId: null });
  });

  it("retires the previous bootstrap key when MERCHANT_API_KEY changes, and keeps a revoked one revoked", async () => {
    expect(await ensureBootstrapApiKey(t.db, second)).toMatchObject({ kind: "created" });
    expect(await authenticateApiKey(t.db, first)).toBeNull();
    expect(await authenticateApiKey(t.db, second)).not.toBeNull();
    const outcome = await ensureBootstrapApiKey(t.db, first);
    expect(outcome.kind).toBe("revoked");
    expect(await authenticateApiKey(t.db, first)).toBeNull();
    const audits = await t.db.select({ action: auditLog.action, actor: auditLog.actorLabel }).from(auditLog);
    expect(audits).toEqual(
      expect.arrayContaining([
        { action: "api_key.created", actor: "system" },
        { action: "api_key.revoked", actor: "system" },
      ]),
    );
  });
});
