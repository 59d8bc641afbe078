import { hashPassword } from "../lib/auth/password";
import type { Db } from "../lib/db/client";
import { merchants, orders, userMerchants, users, type UserRole } from "../lib/db/schema";
import { DEMO_MERCHANT, seedDemoData } from "../lib/setup/demo-seed";
import { eq } from "drizzle-orm";

/** One account per role for the browser tests; the password is only ever used against the throw-away e2e database. */
export const E2E_PASSWORD = "e2e-password-not-secret";
export const E2E_USERS: Record<UserRole, { email: string; name: string }> = {
  admin: { email: "admin@e2e.test", name: "Ada Admin" },
  approver: { email: "approver@e2e.test", name: "Andy Approver" },
  operator: { email: "operator@e2e.test", name: "Olga Operator" },
  viewer: { email: "viewer@e2e.test", name: "Vic Viewer" },
};

/**
 * A second merchant the role accounts above do not work for, with one paid order and its own operator: what the
 * isolation spec tries to reach from the demo merchant's side (and the other way round).
 */
export const E2E_OTHER_MERCHANT = {
  merchant: { mchid: "1900009901", appid: "wx0000000000009901", displayName: "Other Shop (e2e)" },
  order: { outTradeNo: "OTHER-E2E-0001", transactionId: "4200009901202611010000000001", totalFen: 8_800 },
  user: { email: "other-operator@e2e.test", name: "Otto Other" },
};

/**
 * A member per role of `merchantId` — by default the demo merchant, seeded here so that `npm start` finds it and seeds
 * nothing more — the admin also a platform admin, who manages merchants. Safe to call again.
 */
export async function createE2eUsers(db: Db, merchantId?: string): Promise<void> {
  const home = merchantId ?? (await demoMerchantId(db));
  const passwordHash = await hashPassword(E2E_PASSWORD);
  for (const [role, user] of Object.entries(E2E_USERS) as [UserRole, { email: string; name: string }][]) {
    await db
      .insert(users)
      .values({ ...user, platformAdmin: role === "admin", passwordHash })
      .onConflictDoNothing();
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, user.email));
    await db.insert(userMerchants).values({ userId: row!.id, merchantId: home, role }).onConflictDoNothing();
  }
}

async function demoMerchantId(db: Db): Promise<string> {
  await seedDemoData(db);
  const [demo] = await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.mchid, DEMO_MERCHANT.mchid));
  return demo!.id;
}

/** The other merchant of the isolation spec, its paid order and its operator. */
export async function createOtherMerchant(db: Db): Promise<void> {
  const other = E2E_OTHER_MERCHANT;
  const [shop] = await db.insert(merchants).values(other.merchant).returning({ id: merchants.id });
  await db.insert(orders).values({ ...other.order, merchantId: shop!.id, paidAt: new Date(Date.now() - 86_400_000) });
  const passwordHash = await hashPassword(E2E_PASSWORD);
  const [otto] = await db
    .insert(users)
    .values({ ...other.user, passwordHash })
    .returning({ id: users.id });
  await db.insert(userMerchants).values({ userId: otto!.id, merchantId: shop!.id, role: "operator" });
}
