/**
 * What is kept of a callback that was refused (not proven to come from WeChat): anyone on the internet can send one,
 * so what they can make us store is bounded — the first 8 KiB of the body with its size and hash, a few header
 * characters, a few rows per source and per minute — and refused rows are purged after a retention period.
 */
import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { clientAddress } from "../client-address";
import { countThisMinute } from "../db/minute-counters";
import { notifications } from "../db/schema";

/** The head of a refused body that is kept: enough to see what was sent (WeChat's own callbacks are ~1–2 KiB). */
export const REFUSED_BODY_KEPT_BYTES = 8 * 1024;
/** Each header value kept of a refused callback, and all of them together, in characters. */
const REFUSED_HEADER_KEPT_CHARS = 256;
const REFUSED_HEADERS_KEPT_CHARS = 4096;

/**
 * Refused rows stored per minute: per source address, and in all (a source address can be forged). With the sizes
 * above a row is at most ~12 KiB, so strangers can fill at most ~0.5 MB a minute, ~7.5 GB over 14 days' retention;
 * WeChat's own callbacks are verified and never counted here.
 */
export const REFUSED_ROWS_PER_MINUTE = { perSource: 10, total: 30 };

export interface RefusedRecord {
  rawBody: string;
  rawBodyBytes: number | null;
  rawBodySha256: string | null;
  headers: Record<string, string>;
}

/**
 * The part of a refused callback worth storing. `body` is undefined for one refused unread for its size: then only
 * the size it announced is known.
 */
export function refusedRecord(
  body: Uint8Array | undefined,
  headers: Record<string, string>,
  announcedBytes: number | null,
): RefusedRecord {
  const keptHeaders: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(headers)) {
    const cut = value.slice(0, REFUSED_HEADER_KEPT_CHARS);
    kept += name.length + cut.length;
    if (kept > REFUSED_HEADERS_KEPT_CHARS) break;
    keptHeaders[name] = cut;
  }
  if (!body) return { rawBody: "", rawBodyBytes: announcedBytes, rawBodySha256: null, headers: keptHeaders };
  // Cut on bytes, then decode leniently: a multi-byte character split at the cut becomes U+FFFD, not an error.
  const head = Buffer.from(body.subarray(0, REFUSED_BODY_KEPT_BYTES)).toString("utf8");
  return {
    rawBody: head.replaceAll("\u0000", "\uFFFD"),
    rawBodyBytes: body.byteLength,
    rawBodySha256: createHash("sha256").update(body).digest("hex"),
    headers: keptHeaders,
  };
}

/** Counts one refused callback from `source` in this minute; true when it may still be stored. Shared by instances. */
export async function admitRefusedRow(db: Db, source: string): Promise<boolean> {
  const [perSource, total] = await countThisMinute(db, [`callbacks-refused:${source}`, "callbacks-refused:*"]);
  return perSource! <= REFUSED_ROWS_PER_MINUTE.perSource && total! <= REFUSED_ROWS_PER_MINUTE.total;
}

/** The address a callback came from, as the trusted proxies in front report it; `unknown` without one. */
export function callbackSource(headers: Headers, trustedProxies: number): string {
  return clientAddress((name) => headers.get(name), trustedProxies) ?? "unknown";
}

/** Deletes refused callbacks older than the retention; verified ones are the refunds' evidence and stay. */
export async function purgeRefusedCallbacks(db: Db, retentionDays: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  const deleted = await db
    .delete(notifications)
    .where(and(eq(notifications.verification, "rejected"), lt(notifications.receivedAt, before)))
    .returning({ id: notifications.id });
  return deleted.length;
}
