import { eq, sql } from "drizzle-orm";
import { appendAudit, SYSTEM_ACTOR } from "../audit/append";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { generatePassword, hashPassword, verifyPassword } from "../auth/password";

export const DEFAULT_ADMIN_EMAIL = "admin@example.com";

export type AdminBootstrap =
  | { kind: "configured"; email: string; notes: string[] }
  | { kind: "generated"; email: string; password: string }
  | { kind: "existing" };

/**
 * `ADMIN_EMAIL` / `ADMIN_PASSWORD` create a platform admin at start, or give an existing one the password the variables
 * hold (a rotation through the environment ends the old sessions). What was decided in the console stands: an account
 * disabled there, or no longer a platform admin, stays so, and the start says it. Nothing changes, and nothing is
 * audited, when the account is as the variables say. With neither set on a database without users, an admin with a
 * random password is created and the password returned once, to be printed.
 */
export async function ensureAdmin(db: Db, email?: string, password?: string): Promise<AdminBootstrap> {
  if (email && password) {
    const normalised = email.trim().toLowerCase();
    const [existing] = await db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${normalised}`);
    if (!existing) {
      const passwordHash = await hashPassword(password);
      const [row] = await db
        .insert(users)
        .values({ email: normalised, name: "Administrator", passwordHash, platformAdmin: true })
        .returning({ id: users.id });
      await appendAudit(db, SYSTEM_ACTOR, "user.admin_from_env", { type: "user", id: row!.id }, { email: normalised });
      return { kind: "configured", email: normalised, notes: [] };
    }
    const notes: string[] = [];
    if (existing.disabled) notes.push(`${normalised} is disabled in the console; ADMIN_EMAIL does not enable it again`);
    if (!existing.platformAdmin)
      notes.push(`${normalised} is no longer a platform admin; ADMIN_EMAIL does not restore it`);
    if (!(await verifyPassword(existing.passwordHash, password))) {
      await db
        .update(users)
        .set({
          passwordHash: await hashPassword(password),
          failedLoginCount: 0,
          lockedUntil: null,
          sessionVersion: sql`${users.sessionVersion} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(users.id, existing.id));
      await appendAudit(db, SYSTEM_ACTOR, "user.password_from_env", { type: "user", id: existing.id }, {});
    }
    return { kind: "configured", email: normalised, notes };
  }
  const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  if (count > 0) return { kind: "existing" };
  const generated = generatePassword();
  const [row] = await db
    .insert(users)
    .values({
      email: DEFAULT_ADMIN_EMAIL,
      name: "Administrator",
      passwordHash: await hashPassword(generated),
      platformAdmin: true,
    })
    .returning({ id: users.id });
  await appendAudit(db, SYSTEM_ACTOR, "user.admin_generated", { type: "user", id: row?.id ?? DEFAULT_ADMIN_EMAIL });
  return { kind: "generated", email: DEFAULT_ADMIN_EMAIL, password: generated };
}
