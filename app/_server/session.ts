import "server-only";
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { connection } from "next/server";
import { cache } from "react";
import { loadMerchantAccess, type MerchantChoice } from "@/lib/auth/access";
import { mayUse, type Permission } from "@/lib/auth/roles";
import { clientAddress } from "@/lib/client-address";
import { getDb } from "@/lib/db/client";
import { trustedProxies } from "@/lib/env";
import { users, type UserRole } from "@/lib/db/schema";
import type { AuditActor } from "@/lib/audit/append";
import { authOptions } from "./auth-options";

/** The cookie naming the merchant the user is working in; only a hint, checked against the memberships each time. */
export const MERCHANT_COOKIE = "rc_merchant";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  locale: string | null;
  platformAdmin: boolean;
  /** The role in the current merchant (`admin` for a platform admin); `viewer` when there is no merchant. */
  role: UserRole;
  /** The merchant this request works in: every query, export and action is scoped to it. */
  merchantId: string | null;
  merchants: MerchantChoice[];
}

/** A user working in a merchant: what every merchant-scoped page and action gets. */
export type ScopedUser = CurrentUser & { merchantId: string };

/**
 * The signed-in user, re-read from the database on every request so that a disabled account, a reset password, a
 * changed role or a removed membership takes effect at once, not when the session token expires. Read once per
 * request.
 */
export const currentUser = cache(async function currentUser(): Promise<CurrentUser | null> {
  // Session-dependent: never prerendered at build time, when there is neither a request nor a database.
  await connection();
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  const db = getDb();
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      locale: users.locale,
      platformAdmin: users.platformAdmin,
      disabled: users.disabled,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  // A password reset or a disabling since this session began ends it, whatever the token's own expiry.
  if (!user || user.disabled || user.sessionVersion !== session?.user?.sessionVersion) return null;
  const access = await loadMerchantAccess(db, user, (await cookies()).get(MERCHANT_COOKIE)?.value);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    platformAdmin: user.platformAdmin,
    role: access.current?.role ?? (user.platformAdmin ? "admin" : "viewer"),
    merchantId: access.current?.id ?? null,
    merchants: access.merchants,
  };
});

/**
 * For pages of the console: the signed-in user, or a redirect to the login page. Platform-wide pages (merchants,
 * reasons, jobs) need no merchant; every other page works in the current merchant (see `requirePageUser`).
 */
export async function requireConsoleUser(permission: Permission = "read"): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (!mayUse(user, permission)) redirect("/orders?denied=1");
  return user;
}

/** For merchant pages: the user working in a merchant. Without one, the layout explains; a platform admin adds one. */
export async function requirePageUser(permission: Permission = "read"): Promise<ScopedUser> {
  const user = await requireConsoleUser(permission);
  if (user.merchantId === null) {
    if (user.platformAdmin) redirect("/admin/merchants");
    notFound();
  }
  return { ...user, merchantId: user.merchantId };
}

/** The merchant a scoped user works in, as the header and forms name it. */
export function currentMerchant(user: ScopedUser): MerchantChoice {
  return user.merchants.find((m) => m.id === user.merchantId)!;
}

export async function requestIp(): Promise<string | null> {
  const h = await headers();
  return clientAddress((name) => h.get(name), trustedProxies());
}

export async function auditActor(user: CurrentUser): Promise<AuditActor> {
  return { id: user.id, label: user.email, ip: await requestIp() };
}
