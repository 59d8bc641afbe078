import "server-only";
import { mayUse, type Permission } from "@/lib/auth/roles";
import { currentUser, type ScopedUser } from "./session";

/**
 * For route handlers of the console (polls, exports, downloads): the signed-in user working in a merchant, or the
 * answer to give instead — 401 signed out, 403 without the permission, 404 without a merchant.
 */
export async function routeUser(permission: Permission = "read"): Promise<ScopedUser | Response> {
  const user = await currentUser();
  if (!user) return Response.json({ code: "UNAUTHENTICATED" }, { status: 401 });
  if (!mayUse(user, permission)) return Response.json({ code: "FORBIDDEN" }, { status: 403 });
  if (user.merchantId === null) return Response.json({ code: "NOT_FOUND" }, { status: 404 });
  return { ...user, merchantId: user.merchantId };
}

export const NOT_FOUND = () => Response.json({ code: "NOT_FOUND" }, { status: 404 });
