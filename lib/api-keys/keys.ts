import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { appendAudit, SYSTEM_ACTOR, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { apiKeys, type ApiKey } from "../db/schema";
import { err, ok, type Result } from "../result";

export const API_KEY_PREFIX = "rk_live_";
const RANDOM_LENGTH = 32;
/** Shown in lists and audit labels: `rk_live_` and four random characters, far too little to guess the rest from. */
const SHOWN_PREFIX_LENGTH = 12;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** A presented key is at most this long and made of visible ASCII; anything else is refused before hashing. */
const PRESENTED_KEY = /^[\x21-\x7e]{1,256}$/;
/** A busy key would otherwise write its row on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const BOOTSTRAP_KEY_NAME = "bootstrap (MERCHANT_API_KEY)";
/** The bootstrap key is chosen by whoever deploys; its first 12 characters are shown, so it must be long. */
export const BOOTSTRAP_KEY_MIN_LENGTH = 32;

/** Who a request with a valid key acts as. */
export interface ApiPrincipal {
  keyId: string;
  name: string;
  prefix: string;
  /** The only merchant this key may see; null for a key that sees every merchant. */
  merchantId: string | null;
}

export type ApiKeySummary = Omit<ApiKey, "keyHash">;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** `rk_live_` and 32 base62 characters (~190 bits), drawn without modulo bias. */
function generateKey(): string {
  let random = "";
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && random.length < RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  return API_KEY_PREFIX + random;
}

const summary = ({ keyHash: _hash, ...rest }: ApiKey): ApiKeySummary => rest;

/** A new key. The plaintext is returned here once and never stored: only its SHA-256 is. */
export async function createApiKey(
  db: Database,
  input: { name: string; merchantId?: string | null; createdBy: string | null; actor: AuditActor },
): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const name = input.name.trim();
  if (!name) throw new Error("An API key needs a name.");
  const key = generateKey();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name,
        prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
        keyHash: hashApiKey(key),
        merchantId: input.merchantId ?? null,
        createdBy: input.createdBy,
      })
      .returning();
    await appendAudit(
      tx,
      input.actor,
      "api_key.created",
      { type: "api_key", id: row!.id, merchantId: row!.merchantId },
      { name, prefix: row!.prefix, merchantId: row!.merchantId },
    );
    return { key, apiKey: summary(row!) };
  });
}

/** Keys for the admin page, newest first, without their hashes, with the name of the merchant each is limited to. */
/** The keys of one merchant (a key that sees every merchant is the platform's MERCHANT_API_KEY, listed nowhere). */
export async function listApiKeys(db: Database, merchantId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.merchantId, merchantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(summary);
}

export type RevokeError = { code: "API_KEY_NOT_FOUND" | "ALREADY_REVOKED" };

/** Revoke a key for good: requests with it are refused from the next one on. There is no un-revoke. */
export async function revokeApiKey(
  db: Database,
  input: { id: string; merchantId: string; actor: AuditActor },
): Promise<Result<ApiKeySummary, RevokeError>> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, input.id), eq(apiKeys.merchantId, input.merchantId)))
      .for("update");
    if (!current) return err({ code: "API_KEY_NOT_FOUND" as const });
    if (current.revokedAt) return err({ code: "ALREADY_REVOKED" as const });
    const [row] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, input.id)).returning();
    await appendAudit(
      tx,
      input.actor,
      "api_key.revoked",
      { type: "api_key", id: row!.id, merchantId: row!.merchantId },
      { name: row!.name, prefix: row!.prefix },
    );
    return ok(summary(row!));
  });
}

/**
 * The principal for a presented bearer token, or null for an unknown, malformed or revoked key. The lookup is by the
 * key's SHA-256: the database compares hashes, so response timing says nothing about how much of a real key was
 * guessed; the final comparison is constant-time as well.
 */
export async function authenticateApiKey(
  db: Database,
  bearer: string | null | undefined,
  now = new Date(),
): Promise<ApiPrincipal | null> {
  if (!bearer || !PRESENTED_KEY.test(bearer)) return null;
  const hash = hashApiKey(bearer);
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)).limit(1);
  if (!row || !timingSafeEqual(Buffer.from(row.keyHash, "hex"), Buffer.from(hash, "hex")) || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so that concurrent requests of one key write at most once per minute between them.
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
  }
  return { keyId: row.id, name: row.name, prefix: row.prefix, merchantId: row.merchantId };
}

export type BootstrapOutcome =
  | { kind: "none" }
  | { kind: "created" | "kept"; apiKey: ApiKeySummary }
  /** Revoked in the console: a revocation outlives restarts with the same MERCHANT_API_KEY. */
  | { kind: "revoked"; apiKey: ApiKeySummary };

/**
 * Make the deployment's MERCHANT_API_KEY a working key, so shop back ends can call the API before anyone has created
 * keys in the console. With a merchant configured from WECHATPAY_* it belongs to that merchant (its orders and refunds
 * are that merchant's); otherwise it is unscoped. Called at every start: an existing row for the same key is kept,
 * moved to the merchant it should belong to; a changed MERCHANT_API_KEY revokes the previous bootstrap key, so
 * rotating the variable retires the old value.
 */
export async function ensureBootstrapApiKey(
  db: Database,
  plaintext: string | undefined,
  merchantId: string | null = null,
): Promise<BootstrapOutcome> {
  const key = plaintext?.trim();
  if (!key) return { kind: "none" };
  if (key.length < BOOTSTRAP_KEY_MIN_LENGTH || !PRESENTED_KEY.test(key)) {
    throw new Error(
      `MERCHANT_API_KEY must be ${BOOTSTRAP_KEY_MIN_LENGTH} to 256 visible ASCII characters without spaces.`,
    );
  }
  const hash = hashApiKey(key);
  return db.transaction(async (tx) => {
    // Two instances starting together would otherwise both rotate and insert.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('api_keys.bootstrap'))`);
    const [existing] = await tx.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)).limit(1);
    if (existing && existing.merchantId !== merchantId && !existing.revokedAt) {
      const [moved] = await tx.update(apiKeys).set({ merchantId }).where(eq(apiKeys.id, existing.id)).returning();
      await appendAudit(
        tx,
        SYSTEM_ACTOR,
        "api_key.scoped",
        { type: "api_key", id: existing.id, merchantId },
        { prefix: existing.prefix, from: existing.merchantId, to: merchantId },
      );
      return { kind: "kept", apiKey: summary(moved!) };
    }
    if (existing) return { kind: existing.revokedAt ? "revoked" : "kept", apiKey: summary(existing) };

    const previous = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.name, BOOTSTRAP_KEY_NAME), isNull(apiKeys.createdBy), isNull(apiKeys.revokedAt)))
      .returning();
    for (const row of previous) {
      await appendAudit(
        tx,
        SYSTEM_ACTOR,
        "api_key.revoked",
        { type: "api_key", id: row.id, merchantId: row.merchantId },
        { name: row.name, prefix: row.prefix, reason: "MERCHANT_API_KEY changed" },
      );
    }
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name: BOOTSTRAP_KEY_NAME,
        prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
        keyHash: hash,
        merchantId,
        createdBy: null,
      })
      .returning();
    await appendAudit(
      tx,
      SYSTEM_ACTOR,
      "api_key.created",
      { type: "api_key", id: row!.id, merchantId },
      { name: row!.name, prefix: row!.prefix, merchantId },
    );
    return { kind: "created", apiKey: summary(row!) };
  });
}
