import type { UserRole } from "../db/schema";

/** Roles are ordered: each one may do everything the ones before it may. */
export const ROLES: readonly UserRole[] = ["viewer", "operator", "approver", "admin"];

export function hasRole(role: UserRole, atLeast: UserRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(atLeast);
}

/** What each capability requires. Pages hide what a role cannot do; actions check it again on the server. */
export const PERMISSIONS = {
  read: "viewer",
  /** Payers' openids and the accounts refunds went to, unmasked (viewers see them masked). */
  seePersonalData: "operator",
  requestRefund: "operator",
  /** Look a payment up at WeChat Pay and import it as an order. */
  lookUpPayment: "operator",
  bulkRefund: "operator",
  approveRefund: "approver",
  applyAbnormalRefund: "approver",
  resolveReconciliation: "approver",
  manageUsers: "admin",
  manageApiKeys: "admin",
  /** Orders from WeChat Pay's bills (a backfill of past days) or from a file of another system. */
  importOrders: "admin",
  manageMerchants: "admin",
  manageSettings: "admin",
  reapplyNotification: "admin",
} as const satisfies Record<string, UserRole>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * What concerns every merchant at once: the merchants themselves (their credentials) and the shared refund reasons.
 * Only platform admins hold these; a merchant's own admin does not.
 */
export const PLATFORM_PERMISSIONS: readonly Permission[] = ["manageMerchants", "manageSettings"];

export function can(role: UserRole, permission: Permission): boolean {
  return hasRole(role, PERMISSIONS[permission]);
}

/** Whether a console user may use a permission: platform ones by being a platform admin, the rest by role here. */
export function mayUse(user: { role: UserRole; platformAdmin: boolean }, permission: Permission): boolean {
  return PLATFORM_PERMISSIONS.includes(permission) ? user.platformAdmin : can(user.role, permission);
}
