import type { Db } from "../db/client";
import { merchantsGeneration } from "../merchants/changes";
import { configuredMerchants, type MerchantWechatPay } from "./merchant-gateways";

/** How long this process answers callbacks from the merchants it read, before reading them again. */
export const CANDIDATES_FRESH_MS = 5_000;
/** A callback refused with the kept merchants is retried with re-read ones, at most this often. */
const RELOAD_AFTER_REFUSAL_MS = 1_000;

interface Loaded {
  db: Db;
  generation: number;
  loadedAt: number;
  candidates: Promise<MerchantWechatPay[]>;
}

let loaded: Loaded | undefined;

function load(db: Db, now: number): Promise<MerchantWechatPay[]> {
  const candidates = configuredMerchants(db);
  const entry: Loaded = { db, generation: merchantsGeneration(), loadedAt: now, candidates };
  loaded = entry;
  // A failed read is not kept: the next callback reads again.
  candidates.catch(() => {
    if (loaded === entry) loaded = undefined;
  });
  return candidates;
}

function current(db: Db, now: number, freshFor: number): Loaded | undefined {
  const entry = loaded;
  const usable =
    entry && entry.db === db && entry.generation === merchantsGeneration() && now - entry.loadedAt < freshFor;
  return usable ? entry : undefined;
}

/**
 * The merchants a callback may be addressed to (`configuredMerchants`), read at most every 5 s per process: reading
 * and wiring them for every callback was a sixth of a callback's database work. Changes made in this process apply
 * at once. The one cost of keeping them: another instance's retired credential version is still accepted here for
 * up to 5 s; a new merchant or version is not missed, see `candidatesAfterRefusal`.
 */
export function recentCandidates(db: Db, now = Date.now()): Promise<MerchantWechatPay[]> {
  return current(db, now, CANDIDATES_FRESH_MS)?.candidates ?? load(db, now);
}

/**
 * After a callback was refused as not addressed to any kept merchant (unknown serial, wrong key, unknown mchid): the
 * merchants read again, when the kept ones are over a second old, so a merchant or credential version added on
 * another instance is found at its first callback. Undefined when they are as fresh as that: the refusal stands. A
 * flood of such forgeries causes at most one read a second.
 */
export function candidatesAfterRefusal(db: Db, now = Date.now()): Promise<MerchantWechatPay[]> | undefined {
  return current(db, now, RELOAD_AFTER_REFUSAL_MS) ? undefined : load(db, now);
}
