import type { Db } from "../db/client";
import { countsThisMinute, countThisMinute } from "../db/minute-counters";

/**
 * Failed sign-ins allowed per minute: from one address (a password sprayed over many accounts) and for one account
 * (guesses from many addresses, besides the lock after repeated failures). Past either, attempts are refused without
 * looking at the password, so a flood costs neither an argon2 verification nor an audit row each. Successful
 * sign-ins do not count.
 */
export const SIGN_IN_LIMITS = { failuresPerAddress: 30, failuresPerAccount: 10 };

const buckets = (email: string, ip: string | null) => [
  `sign-in-address:${ip ?? "unknown"}`,
  `sign-in-account:${email}`,
];

/** Whether the address or the account has failed too often this minute (shared by every instance). */
export async function signInThrottled(db: Db, email: string, ip: string | null, limits = SIGN_IN_LIMITS) {
  const [byAddress, byAccount] = await countsThisMinute(db, buckets(email, ip));
  return byAddress! >= limits.failuresPerAddress || byAccount! >= limits.failuresPerAccount;
}

/** Counts a failed sign-in against its address and its account. */
export async function countFailedSignIn(db: Db, email: string, ip: string | null): Promise<void> {
  await countThisMinute(db, buckets(email, ip));
}
