import { hashPassword } from "../lib/auth/password";
import type { Db } from "../lib/db/client";
import { users, type UserRole } from "../lib/db/schema";

/** One account per role for the browser tests; the password is only ever used against the throw-away e2e database. */
export const E2E_PASSWORD = "e2e-password-not-secret";
export const E2E_USERS: Record<UserRole, { email: string; name: string }> = {
  admin: { email: "admin@e2e.test", name: "Ada Admin" },
  approver: { email: "approver@e2e.test", name: "Andy Approver" },
  operator: { email: "operator@e2e.test", name: "Olga Operator" },
  viewer: { email: "viewer@e2e.test", name: "Vic Viewer" },
};

export async function createE2eUsers(db: Db): Promise<void> {
  const passwordHash = await hashPassword(E2E_PASSWORD);
  for (const [role, user] of Object.entries(E2E_USERS) as [UserRole, { email: string; name: string }][]) {
    await db
      .insert(users)
      .values({ ...user, role, passwordHash })
      .onConflictDoNothing();
  }
}
