import { eq, sql } from "drizzle-orm";
import { appendAudit } from "../audit/append";
import type { Db } from "../db/client";
import { users, type User } from "../db/schema";
import { countThisMinute } from "../db/minute-counters";
import { log } from "../log";
import { hashPassword, verifyPassword } from "./password";
import { countFailedSignIn, signInThrottled } from "./throttle";

export interface LoginPolicy {
  maxFailures: number;
  lockMinutes: number;
}

export type LoginOutcome =
  | { ok: true; user: Pick<User, "id" | "email" | "name" | "locale" | "sessionVersion"> }
  | { ok: false; reason: "invalid" | "locked" | "disabled" | "throttled" };

/** Sign-ins with an unknown email written to the audit log per minute, in all. */
export const UNKNOWN_EMAILS_AUDITED_PER_MINUTE = 60;

// Verified against when the email is unknown, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Check an email and password. Repeated failures lock the account for a while; a locked or disabled account is
 * refused even with the right password; an address or account with too many failures this minute is refused without
 * a look at the password (throttle.ts). The caller shows one message for every failure, so nobody learns whether an
 * email exists.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  policy: LoginPolicy,
  ip: string | null,
  now = new Date(),
): Promise<LoginOutcome> {
  const normalised = email.trim().toLowerCase();
  if (await signInThrottled(db, normalised, ip)) {
    // Logged, not audited: a flood must not write a row per attempt into the append-only log.
    log.warn({ ip, email: normalised }, "sign-in throttled");
    return { ok: false, reason: "throttled" };
  }
  const outcome = await checkPassword(db, normalised, password, policy, ip, now);
  if (!outcome.ok) await countFailedSignIn(db, normalised, ip);
  return outcome;
}

async function checkPassword(
  db: Db,
  normalised: string,
  password: string,
  policy: LoginPolicy,
  ip: string | null,
  now: Date,
): Promise<LoginOutcome> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalised}`)
    .limit(1);

  if (!user) {
    dummyHash ??= hashPassword("timing-equaliser-not-a-password");
    await verifyPassword(await dummyHash, password);
    // Made-up emails from made-up addresses escape both throttles: past a few a minute they are logged, not audited,
    // so nobody can grow the append-only log at will.
    const [unknownThisMinute] = await countThisMinute(db, ["sign-in-unknown-email:*"]);
    if (unknownThisMinute! <= UNKNOWN_EMAILS_AUDITED_PER_MINUTE) {
      await appendAudit(db, { id: null, label: normalised, ip }, "auth.sign_in_failed", null, {
        reason: "unknown_email",
      });
    } else log.warn({ ip, email: normalised }, "sign-in with an unknown email (not audited: too many this minute)");
    return { ok: false, reason: "invalid" };
  }

  const actor = { id: user.id, label: user.email, ip };
  if (user.lockedUntil && user.lockedUntil > now) {
    await appendAudit(db, actor, "auth.sign_in_failed", { type: "user", id: user.id }, { reason: "locked" });
    return { ok: false, reason: "locked" };
  }

  const passwordOk = await verifyPassword(user.passwordHash, password);
  if (!passwordOk) {
    // One atomic statement, so parallel guesses cannot slip past the count.
    const lockUntil = new Date(now.getTime() + policy.lockMinutes * 60_000);
    const [after] = await db
      .update(users)
      .set({
        failedLoginCount: sql`case when ${users.failedLoginCount} + 1 >= ${policy.maxFailures} then 0 else ${users.failedLoginCount} + 1 end`,
        lockedUntil: sql`case when ${users.failedLoginCount} + 1 >= ${policy.maxFailures} then ${lockUntil.toISOString()}::timestamptz else ${users.lockedUntil} end`,
      })
      .where(eq(users.id, user.id))
      .returning({ lockedUntil: users.lockedUntil });
    await appendAudit(
      db,
      actor,
      "auth.sign_in_failed",
      { type: "user", id: user.id },
      {
        reason: "wrong_password",
        locked: Boolean(after?.lockedUntil && after.lockedUntil > now),
      },
    );
    return { ok: false, reason: "invalid" };
  }

  if (user.disabled) {
    await appendAudit(db, actor, "auth.sign_in_failed", { type: "user", id: user.id }, { reason: "disabled" });
    return { ok: false, reason: "disabled" };
  }

  await db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, user.id));
  await appendAudit(db, actor, "auth.sign_in", { type: "user", id: user.id });
  return {
    ok: true,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      sessionVersion: user.sessionVersion,
    },
  };
}
