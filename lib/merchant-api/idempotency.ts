import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { apiIdempotency } from "../db/schema";
import type { ApiReply } from "./errors";

/** `response_status` of a key whose first request is still running. */
const IN_PROGRESS = 0;
/** A first request takes milliseconds; a claim this old belongs to a process that died, and may be taken over. */
const STALE_CLAIM = sql`now() - interval '30 seconds'`;

export type Claim = { kind: "claimed" } | { kind: "replay"; reply: ApiReply } | { kind: "reused" } | { kind: "busy" };

export interface ClaimOptions {
  /** How long a repeat waits for a first request still in progress before answering IDEMPOTENCY_KEY_IN_USE. */
  waitMs?: number;
  pollMs?: number;
}

/** The fingerprint of a request: its endpoint and its parsed fields, so formatting and key order do not matter. */
export function requestHash(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts), "utf8").digest("hex");
}

const Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * The refund number a request with an Idempotency-Key but no out_refund_no gets: derived from the API key and the
 * Idempotency-Key, so every repeat — even one after a crash lost the stored answer — names the same refund, and the
 * unique out_refund_no makes a second refund impossible. `A` and 24 base32 characters (120 bits of SHA-256).
 */
export function outRefundNoForIdempotencyKey(apiKeyId: string, key: string): string {
  const digest = createHash("sha256").update(`${apiKeyId}\n${key}`, "utf8").digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 15)) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let i = 0; i < 24; i++) out = Crockford[Number((bits >> BigInt(i * 5)) & 31n)] + out;
  return `A${out}`;
}

const byKey = (apiKeyId: string, key: string) =>
  and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key));

/**
 * Take an Idempotency-Key for this request, or learn what became of the first request with it: its stored answer, a
 * different request body (reuse), or still running. Repeats arriving while the first runs wait for its answer.
 */
export async function claimIdempotencyKey(
  db: Database,
  apiKeyId: string,
  key: string,
  hash: string,
  options: ClaimOptions = {},
): Promise<Claim> {
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  for (;;) {
    const [claimed] = await db
      .insert(apiIdempotency)
      .values({ apiKeyId, key, requestHash: hash, responseStatus: IN_PROGRESS, responseBody: {} })
      .onConflictDoNothing({ target: [apiIdempotency.apiKeyId, apiIdempotency.key] })
      .returning({ key: apiIdempotency.key });
    if (claimed) return { kind: "claimed" };

    const [row] = await db.select().from(apiIdempotency).where(byKey(apiKeyId, key)).limit(1);
    // Gone between the two statements: the first request failed and released the key; try to take it again.
    if (!row) continue;
    if (row.requestHash !== hash) return { kind: "reused" };
    if (row.responseStatus !== IN_PROGRESS)
      return { kind: "replay", reply: { status: row.responseStatus, body: row.responseBody } };

    const [takenOver] = await db
      .update(apiIdempotency)
      .set({ createdAt: sql`now()` })
      .where(
        and(
          byKey(apiKeyId, key),
          eq(apiIdempotency.responseStatus, IN_PROGRESS),
          lt(apiIdempotency.createdAt, STALE_CLAIM),
        ),
      )
      .returning({ key: apiIdempotency.key });
    if (takenOver) return { kind: "claimed" };
    if (Date.now() >= deadline) return { kind: "busy" };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
}

/** Store the first answer for replays. */
export async function completeIdempotencyKey(
  db: Database,
  apiKeyId: string,
  key: string,
  reply: ApiReply,
): Promise<void> {
  await db
    .update(apiIdempotency)
    .set({ responseStatus: reply.status, responseBody: reply.body })
    .where(byKey(apiKeyId, key));
}

/** Give the key back after a request that changed nothing, so a corrected retry with the same key can proceed. */
export async function releaseIdempotencyKey(db: Database, apiKeyId: string, key: string): Promise<void> {
  await db.delete(apiIdempotency).where(and(byKey(apiKeyId, key), eq(apiIdempotency.responseStatus, IN_PROGRESS)));
}
