import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants, userMerchants, type UserRole } from "../db/schema";

/** A merchant the user may switch to, with the user's role there. */
export interface MerchantChoice {
  id: string;
  displayName: string;
  mchid: string;
  role: UserRole;
}

/** What a console user may reach: the merchants they work for and the one they are working in now. */
export interface MerchantAccess {
  platformAdmin: boolean;
  merchants: MerchantChoice[];
  /** The merchant every page, list, export and action of this request is scoped to; null when there is none. */
  current: MerchantChoice | null;
}

/**
 * The user's merchants (every merchant, as admin, for a platform admin) and the current one: the preferred id when the
 * user may use it (a forged cookie gains nothing), else the first by name. Read on every request, so a membership
 * removed or a role changed takes effect at once.
 */
export async function loadMerchantAccess(
  db: Db,
  user: { id: string; platformAdmin: boolean },
  preferredMerchantId: string | undefined,
): Promise<MerchantAccess> {
  const choices: MerchantChoice[] = user.platformAdmin
    ? (
        await db
          .select({ id: merchants.id, displayName: merchants.displayName, mchid: merchants.mchid })
          .from(merchants)
          .orderBy(asc(merchants.displayName), asc(merchants.id))
      ).map((m) => ({ ...m, role: "admin" as const }))
    : await db
        .select({
          id: merchants.id,
          displayName: merchants.displayName,
          mchid: merchants.mchid,
          role: userMerchants.role,
        })
        .from(userMerchants)
        .innerJoin(merchants, eq(merchants.id, userMerchants.merchantId))
        .where(eq(userMerchants.userId, user.id))
        .orderBy(asc(merchants.displayName), asc(merchants.id));
  const current = choices.find((m) => m.id === preferredMerchantId) ?? choices[0] ?? null;
  return { platformAdmin: user.platformAdmin, merchants: choices, current };
}
