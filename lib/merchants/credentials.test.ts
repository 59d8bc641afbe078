import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import {
  ADMIN_ACTOR,
  addVersion,
  createDbMerchant,
  keyMaterial,
  masterKeyEnv,
  type KeyMaterial,
} from "../../tests/fixtures/db-merchants";
import { auditLog, merchantCredentials, merchants, type Merchant } from "../db/schema";
import { merchantWechatPay } from "../wechatpay/merchant-gateways";
import { openSecrets } from "./credential-secrets";
import { activateCredentials, addCredentials, listCredentials, retireCredentials } from "./credentials";
import { updateMerchant } from "./merchants";

/** The base64 body of a PEM: what would give a private key away in a dump, whatever the line breaks. */
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

describe("merchant credentials: sealed at rest, rotated without downtime, audited", () => {
  let t: TestDatabase;
  const { masterKey, env } = masterKeyEnv();
  let merchant: Merchant;
  let first: KeyMaterial;
  let second: KeyMaterial;

  beforeAll(async () => {
    t = await createTestDb();
    ({ merchant, material: first } = await createDbMerchant(t.db, masterKey, { mchid: "1900000201" }));
    second = keyMaterial(merchant.mchid);
  });
  afterAll(() => t.drop());

  it("stores version 1 sealed: public parts and fingerprints in clear, secrets only inside the sealed blob", async () => {
    const [row] = await t.db.select().from(merchantCredentials).where(eq(merchantCredentials.merchantId, merchant.id));
    expect(row).toMatchObject({
      version: 1,
      status: "active",
      merchantSerialNo: first.upload.merchantSerialNo,
      publicKeyId: first.upload.publicKeyId,
    });
    expect(row!.secretsSealed).toMatch(/^v1\./);
    expect(Object.keys(row!.fingerprints).sort()).toEqual(["apiV2Key", "apiV3Key", "merchantPrivateKey", "publicKey"]);
    expect(openSecrets(masterKey, row!)).toMatchObject({
      ok: true,
      value: { apiV3Key: first.upload.apiV3Key, apiV2Key: first.upload.apiV2Key },
    });
    expect(openSecrets(randomBytes(32), row!)).toEqual({ ok: false, error: "UNREADABLE" });
    // Bound to its row: the same blob under another version number does not open.
    expect(openSecrets(masterKey, { ...row!, version: 2 })).toEqual({ ok: false, error: "UNREADABLE" });
    const listed = await listCredentials(t.db, merchant.id);
    expect(listed[0]).not.toHaveProperty("secretsSealed");
    expect(listed[0]).toMatchObject({ hasPublicKey: true });
  });

  it("keeps the secrets out of a full pg_dump of the database, audit log included", async () => {
    await addVersion(t.db, masterKey, merchant.id, second, false);
    const dump = execFileSync("/usr/bin/pg_dump", ["--data-only", t.url], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain(first.upload.merchantSerialNo!);
    for (const material of [first, second]) {
      const { apiV3Key, apiV2Key, merchantPrivateKeyPem } = material.upload;
      expect(dump).not.toContain(apiV3Key);
      expect(dump).not.toContain(apiV2Key);
      // Any 40-character run of the key body would be a leak, however the dump wraps lines.
      const body = pemBody(merchantPrivateKeyPem);
      expect(dump.replace(/\s+/g, "")).not.toContain(body.slice(100, 140));
    }
  });

  it("activating a standby version demotes the active one to standby; both stay usable for callbacks", async () => {
    expect(await merchantWechatPay(t.db, merchant.id, env)).toMatchObject({
      ok: true,
      value: { credentialVersion: { version: 1, status: "active" } },
    });
    const activated = await activateCredentials(t.db, { merchantId: merchant.id, version: 2, actor: ADMIN_ACTOR });
    expect(activated).toMatchObject({ ok: true, value: { version: 2, status: "active" } });
    const statuses = await t.db
      .select({ version: merchantCredentials.version, status: merchantCredentials.status })
      .from(merchantCredentials)
      .where(eq(merchantCredentials.merchantId, merchant.id))
      .orderBy(merchantCredentials.version);
    expect(statuses).toEqual([
      { version: 1, status: "standby" },
      { version: 2, status: "active" },
    ]);
    // The gateway is rewired at once: the cache is keyed by the version.
    const wired = await merchantWechatPay(t.db, merchant.id, env);
    expect(wired.ok && wired.value.credentialVersion).toEqual({ version: 2, status: "active" });
    expect(wired.ok && wired.value.credentials.apiV3Key).toBe(second.upload.apiV3Key);
  });

  it("follows the merchant's platform-certificate setting: retiring them rewires the gateway without certificates", async () => {
    const before = await merchantWechatPay(t.db, merchant.id, env);
    expect(before.ok && before.value.credentials.platformCertificates).toBe("trusted");
    await t.db.update(merchants).set({ platformCertificates: "retired" }).where(eq(merchants.id, merchant.id));
    const after = await merchantWechatPay(t.db, merchant.id, env);
    expect(after.ok && after.value.credentials.platformCertificates).toBe("retired");
    if (!before.ok || !after.ok) throw new Error("not wired");
    expect(after.value.gateway).not.toBe(before.value.gateway);
    await t.db.update(merchants).set({ platformCertificates: "trusted" }).where(eq(merchants.id, merchant.id));
  });

  it("refuses to retire the active version or to activate a retired one", async () => {
    expect(await retireCredentials(t.db, { merchantId: merchant.id, version: 2, actor: ADMIN_ACTOR })).toMatchObject({
      ok: false,
      error: { code: "NOT_STANDBY" },
    });
    expect(await retireCredentials(t.db, { merchantId: merchant.id, version: 1, actor: ADMIN_ACTOR })).toMatchObject({
      ok: true,
      value: { status: "retired" },
    });
    expect(await activateCredentials(t.db, { merchantId: merchant.id, version: 1, actor: ADMIN_ACTOR })).toMatchObject({
      ok: false,
      error: { code: "NOT_STANDBY" },
    });
    expect(await activateCredentials(t.db, { merchantId: merchant.id, version: 9, actor: ADMIN_ACTOR })).toMatchObject({
      ok: false,
      error: { code: "CREDENTIALS_NOT_FOUND" },
    });
  });

  it("refuses an invalid upload with field codes and stores nothing", async () => {
    const before = await t.db.$count(merchantCredentials);
    const refused = await addCredentials(t.db, {
      merchantId: merchant.id,
      upload: { ...second.upload, apiV3Key: "too short" },
      masterKey,
      createdBy: null,
      actor: ADMIN_ACTOR,
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "INVALID_UPLOAD", fieldErrors: { apiV3Key: ["APIV3_KEY_LENGTH"] } },
    });
    expect(await t.db.$count(merchantCredentials)).toBe(before);
  });

  it("audits every change with before and after, never a secret", async () => {
    const edited = await updateMerchant(
      t.db,
      merchant.id,
      {
        displayName: "Renamed 改名",
        mchid: merchant.mchid,
        appid: merchant.appid,
        mode: "direct",
        subMchid: null,
        subAppid: null,
        apiVersion: "v3",
        credentialsRef: "db",
        platformCertificates: "retired",
        approvalThresholdFen: 50_000,
        active: true,
      },
      ADMIN_ACTOR,
    );
    expect(edited.ok).toBe(true);
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.targetId, merchant.id)).orderBy(auditLog.id);
    expect(rows.map((r) => r.action)).toEqual([
      "merchant.created",
      "merchant.credentials_added",
      "merchant.credentials_activated",
      "merchant.credentials_added",
      "merchant.credentials_activated",
      "merchant.credentials_retired",
      "merchant.updated",
    ]);
    expect(rows[0]!.details).toMatchObject({ after: { mchid: merchant.mchid, credentialsRef: "db" } });
    expect(rows[1]!.details).toMatchObject({ after: { version: 1, merchantSerialNo: first.upload.merchantSerialNo } });
    expect(rows[4]!.details).toEqual({ version: 2, before: { activeVersion: 1 }, after: { activeVersion: 2 } });
    expect(rows[5]!.details).toEqual({ version: 1, before: { status: "standby" }, after: { status: "retired" } });
    expect(rows[6]!.details).toEqual({
      before: { displayName: merchant.displayName, platformCertificates: "trusted", approvalThresholdFen: 100_000 },
      after: { displayName: "Renamed 改名", platformCertificates: "retired", approvalThresholdFen: 50_000 },
    });
    const details = JSON.stringify(await t.db.select({ d: auditLog.details }).from(auditLog));
    for (const material of [first, second]) {
      expect(details).not.toContain(material.upload.apiV3Key);
      expect(details).not.toContain(pemBody(material.upload.merchantPrivateKeyPem).slice(100, 140));
    }
    expect(actorsOf(rows)).toEqual(["admin@example.com"]);
  });

  it("numbers versions per merchant without gaps, even when uploads race", async () => {
    const other = await createDbMerchant(t.db, masterKey, { mchid: "1900000202" });
    await Promise.all([1, 2, 3].map(() => addVersion(t.db, masterKey, other.merchant.id, other.material, false)));
    const versions = await t.db.execute<{ version: number }>(
      sql`select version from merchant_credentials where merchant_id = ${other.merchant.id} order by version`,
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
  });
});

function actorsOf(rows: { actorLabel: string }[]): string[] {
  return [...new Set(rows.map((r) => r.actorLabel))];
}
