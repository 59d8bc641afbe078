import { eq, sql } from "drizzle-orm";
import { appendAudit, SYSTEM_ACTOR } from "../audit/append";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { generatePassword, hashPassword } from "../auth/password";

export const DEFAULT_ADMIN_EMAIL = "admin@example.com";

export type AdminBootstrap =
  { kind: "configured"; email: string } | { kind: "generated"; email: string; password: string } | { kind: "existing" };

/**
 * `ADMIN_EMAIL` / `ADMIN_PASSWORD` create or update a platform admin (every merchant) at start. With neither set on a database without users,
 * an admin with a random password is created and the password returned once, to be printed.
 */
export async function ensureAdmin(db: Db, email?: string, password?: string): Promise<AdminBootstrap> {
  if (email && password) {
    const normalised = email.trim().toLowerCase();
    const passwordHash = await hashPassword(password);
    const [existing] = await db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${normalised}`);
    const [row] = existing
      ? await db
          .update(users)
          .set({
            passwordHash,
            platformAdmin: true,
            disabled: false,
            failedLoginCount: 0,
            lockedUntil: null,
            updatedAt: new Date(),
          })
          .where(eq(users.id, existing.id))
          .returning({ id: users.id })
      : await db
          .insert(users)
          .values({ email: normalised, name: "Administrator", passwordHash, platformAdmin: true })
          .returning({ id: users.id });
    await appendAudit(
      db,
      SYSTEM_ACTOR,
      "user.admin_from_env",
      { type: "user", id: row?.id ?? normalised },
      { email: normalised },
    );
    return { kind: "configured", email: normalised };
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
