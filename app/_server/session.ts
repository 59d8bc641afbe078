import "server-only";
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { headers } from "next/headers";
import { connection } from "next/server";
import { cache } from "react";
import { can, type Permission } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { users, type UserRole } from "@/lib/db/schema";
import type { AuditActor } from "@/lib/audit/append";
import { authOptions } from "./auth-options";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  locale: string | null;
}

/**
 * The signed-in user, re-read from the database on every request so that a disabled account or a changed role takes
 * effect at once, not when the session token expires. Read once per request (layout, page and translations share it).
 */
export const currentUser = cache(async function currentUser(): Promise<CurrentUser | null> {
  // Session-dependent: never prerendered at build time, when there is neither a request nor a database.
  await connection();
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  const [user] = await getDb()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      locale: users.locale,
      disabled: users.disabled,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, locale: user.locale };
});

/** For pages: the signed-in user, or a redirect to the login page. */
export async function requirePageUser(permission: Permission = "read"): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (!can(user.role, permission)) redirect("/orders?denied=1");
  return user;
}

export async function requestIp(): Promise<string | null> {
  const h = await headers();
  return h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || null;
}

export async function auditActor(user: CurrentUser): Promise<AuditActor> {
  return { id: user.id, label: user.email, ip: await requestIp() };
}
