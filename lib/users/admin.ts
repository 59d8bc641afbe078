import { and, asc, eq, ne, sql, type SQL } from "drizzle-orm";
import { appendAudit, type AuditAction, type AuditActor, type AuditTarget } from "../audit/append";
import { changedFields } from "../audit/changes";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "../auth/password";
import type { Database, Db, Transaction } from "../db/client";
import { userMerchants, users, type User, type UserRole } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";

/** A member as the admin pages show them: never the password hash; the role is the one in this merchant. */
export type UserSummary = Omit<User, "passwordHash" | "failedLoginCount"> & { role: UserRole };

/** Who manages: the merchant they work in, and whether they are a platform admin (who may change any account). */
export interface AdminScope {
  merchantId: string;
  platformAdmin: boolean;
}

export interface UserAdminError {
  code: "USER_NOT_FOUND" | "EMAIL_TAKEN" | "LAST_ADMIN" | "PASSWORD_TOO_SHORT" | "ACCOUNT_SHARED";
  message: Message;
  field?: "email" | "password";
}

const failure = (code: UserAdminError["code"], message: Message, field?: UserAdminError["field"]) =>
  err<UserAdminError>({ code, message, ...(field ? { field } : {}) });

const NOT_FOUND = () => failure("USER_NOT_FOUND", msg("outcomes.users.admin.USER_NOT_FOUND"));
const LAST_ADMIN = () => failure("LAST_ADMIN", msg("outcomes.users.admin.LAST_ADMIN"));
const SHARED = () => failure("ACCOUNT_SHARED", msg("outcomes.users.admin.ACCOUNT_SHARED"));
const TOO_SHORT = () =>
  failure(
    "PASSWORD_TOO_SHORT",
    msg("outcomes.users.admin.PASSWORD_TOO_SHORT", { min: MIN_PASSWORD_LENGTH }),
    "password",
  );

function summary({ passwordHash: _hash, failedLoginCount: _count, ...rest }: User, role: UserRole): UserSummary {
  return { ...rest, role };
}

/** What the audit log keeps of a user. */
const audited = (u: User, role?: UserRole) => ({
  email: u.email,
  name: u.name,
  ...(role ? { role } : {}),
  disabled: u.disabled,
  dailyRefundLimitFen: u.dailyRefundLimitFen,
});

/** The members of one merchant. */
export async function listUsers(db: Db, merchantId: string): Promise<UserSummary[]> {
  const rows = await db
    .select({ user: users, role: userMerchants.role })
    .from(userMerchants)
    .innerJoin(users, eq(users.id, userMerchants.userId))
    .where(eq(userMerchants.merchantId, merchantId))
    .orderBy(asc(users.disabled), asc(users.name), asc(users.email));
  return rows.map((r) => summary(r.user, r.role));
}

/** A member of this merchant; anyone else is not found, whether the account exists or not. */
export async function getUser(db: Db, merchantId: string, id: string): Promise<UserSummary | undefined> {
  const [row] = await db
    .select({ user: users, role: userMerchants.role })
    .from(userMerchants)
    .innerJoin(users, eq(users.id, userMerchants.userId))
    .where(and(eq(userMerchants.merchantId, merchantId), eq(userMerchants.userId, id)));
  return row && summary(row.user, row.role);
}

/** The password typed by the admin (checked), or a generated one to show once. */
function chosenPassword(typed: string | undefined): Result<{ password: string; generated: boolean }, UserAdminError> {
  if (!typed) return ok({ password: generatePassword(), generated: true });
  return typed.length >= MIN_PASSWORD_LENGTH ? ok({ password: typed, generated: false }) : TOO_SHORT();
}

/**
 * A new member of this merchant. A new email makes a new account, its password the admin's or generated and returned
 * here once (only its argon2id hash is kept); an existing account (another merchant's) only gains the membership.
 * Emails are unique whatever their case.
 */
export async function createUser(
  db: Database,
  merchantId: string,
  input: { name: string; email: string; role: UserRole; password?: string; dailyRefundLimitFen: number | null },
  actor: AuditActor,
): Promise<Result<{ user: UserSummary; generatedPassword?: string }, UserAdminError>> {
  const chosen = chosenPassword(input.password);
  if (!chosen.ok) return chosen;
  const passwordHash = await hashPassword(chosen.value.password);
  const target = { type: "user", id: "", merchantId } satisfies AuditTarget;
  return db.transaction(async (tx) => {
    const email = input.email.trim().toLowerCase();
    const [created] = await tx
      .insert(users)
      .values({ name: input.name, email, passwordHash, dailyRefundLimitFen: input.dailyRefundLimitFen })
      .onConflictDoNothing()
      .returning();
    const [row] = created
      ? [created]
      : await tx
          .select()
          .from(users)
          .where(sql`lower(${users.email}) = ${email}`);
    const [member] = await tx
      .insert(userMerchants)
      .values({ userId: row!.id, merchantId, role: input.role })
      .onConflictDoNothing()
      .returning();
    if (!member) return failure("EMAIL_TAKEN", msg("outcomes.users.admin.EMAIL_TAKEN"), "email");
    if (!created) {
      await appendAudit(tx, actor, "user.member_added", { ...target, id: row!.id }, { role: input.role });
      return ok({ user: summary(row!, input.role) });
    }
    await appendAudit(
      tx,
      actor,
      "user.created",
      { ...target, id: row!.id },
      { after: audited(row!, input.role), passwordGenerated: chosen.value.generated },
    );
    const generated = chosen.value.generated ? { generatedPassword: chosen.value.password } : {};
    return ok({ user: summary(row!, input.role), ...generated });
  });
}

/**
 * Locks the user's membership of this merchant (or finds none: not found) and tells whether the change would leave the
 * merchant without an enabled admin. Every enabled admin membership is locked, so two admins demoting or disabling
 * each other at the same moment are serialised and the second one sees the first one's change.
 */
async function lockMember(tx: Transaction, merchantId: string, userId: string) {
  const admins = await tx
    .select({ userId: userMerchants.userId })
    .from(userMerchants)
    .innerJoin(users, eq(users.id, userMerchants.userId))
    .where(and(eq(userMerchants.merchantId, merchantId), eq(userMerchants.role, "admin"), eq(users.disabled, false)))
    .for("update");
  const [member] = await tx
    .select({ user: users, role: userMerchants.role })
    .from(userMerchants)
    .innerJoin(users, eq(users.id, userMerchants.userId))
    .where(and(eq(userMerchants.merchantId, merchantId), eq(userMerchants.userId, userId)))
    .for("update");
  const lastAdmin = admins.length === 1 && admins[0]!.userId === userId;
  return member ? { ...member, lastAdmin } : undefined;
}

/** The user's role in this merchant. */
export async function changeRole(
  db: Database,
  merchantId: string,
  input: { userId: string; role: UserRole },
  actor: AuditActor,
): Promise<Result<UserSummary, UserAdminError>> {
  return db.transaction(async (tx) => {
    const member = await lockMember(tx, merchantId, input.userId);
    if (!member) return NOT_FOUND();
    if (member.lastAdmin && input.role !== "admin") return LAST_ADMIN();
    await tx
      .update(userMerchants)
      .set({ role: input.role })
      .where(and(eq(userMerchants.merchantId, merchantId), eq(userMerchants.userId, input.userId)));
    if (member.role !== input.role) {
      const changes = { before: { role: member.role }, after: { role: input.role } };
      await appendAudit(tx, actor, "user.role_changed", { type: "user", id: input.userId, merchantId }, changes);
    }
    return ok(summary(member.user, input.role));
  });
}

/** Takes the user out of this merchant; the account and its other memberships stay. */
export async function removeMember(
  db: Database,
  merchantId: string,
  input: { userId: string },
  actor: AuditActor,
): Promise<Result<null, UserAdminError>> {
  return db.transaction(async (tx) => {
    const member = await lockMember(tx, merchantId, input.userId);
    if (!member) return NOT_FOUND();
    if (member.lastAdmin) return LAST_ADMIN();
    await tx
      .delete(userMerchants)
      .where(and(eq(userMerchants.merchantId, merchantId), eq(userMerchants.userId, input.userId)));
    const target = { type: "user", id: input.userId, merchantId } satisfies AuditTarget;
    await appendAudit(tx, actor, "user.member_removed", target, { role: member.role });
    return ok(null);
  });
}

type AccountChange = Partial<
  Pick<User, "disabled" | "dailyRefundLimitFen" | "passwordHash" | "failedLoginCount" | "lockedUntil">
> & { sessionVersion?: SQL };

/**
 * A change to the account itself (every merchant it works for): allowed to a platform admin, or to this merchant's
 * admin when the account works for this merchant only. Never leaves the merchant, or the platform, without an
 * enabled admin.
 */
async function changeAccount(
  db: Database,
  scope: AdminScope,
  userId: string,
  change: AccountChange,
  action: AuditAction,
  actor: AuditActor,
  details?: (before: User) => Record<string, unknown>,
): Promise<Result<UserSummary, UserAdminError>> {
  return db.transaction(async (tx) => {
    const member = await lockMember(tx, scope.merchantId, userId);
    if (!member) return NOT_FOUND();
    if (!scope.platformAdmin) {
      const [elsewhere] = await tx
        .select({ merchantId: userMerchants.merchantId })
        .from(userMerchants)
        .where(and(eq(userMerchants.userId, userId), ne(userMerchants.merchantId, scope.merchantId)))
        .limit(1);
      if (elsewhere || member.user.platformAdmin) return SHARED();
    }
    if (change.disabled === true && (member.lastAdmin || (await isLastPlatformAdmin(tx, member.user)))) {
      return LAST_ADMIN();
    }
    const [after] = await tx
      .update(users)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    const changes = details ? details(member.user) : changedFields(audited(member.user), audited(after!));
    const target = { type: "user", id: userId, merchantId: scope.merchantId } satisfies AuditTarget;
    if (changes) await appendAudit(tx, actor, action, target, changes);
    return ok(summary(after!, member.role));
  });
}

/** Whether this is the only enabled platform admin (all of them locked, as for a merchant's admins). */
async function isLastPlatformAdmin(tx: Transaction, user: User): Promise<boolean> {
  if (!user.platformAdmin) return false;
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.platformAdmin, true), eq(users.disabled, false)))
    .for("update");
  return admins.length === 1 && admins[0]!.id === user.id;
}

/** A disabled user's session ends at its next request: the session loader re-reads the row every time. */
export function setDisabled(
  db: Database,
  scope: AdminScope,
  input: { userId: string; disabled: boolean },
  actor: AuditActor,
) {
  const action = input.disabled ? "user.disabled" : "user.enabled";
  // Disabling ends every open session for good: enabling again does not bring them back.
  const change = input.disabled
    ? { disabled: true, sessionVersion: sql`${users.sessionVersion} + 1` }
    : { disabled: false };
  return changeAccount(db, scope, input.userId, change, action, actor);
}

/** The most a user may refund per day, in fen; null for no limit. Enforced where refunds are requested. */
export function setDailyRefundLimit(
  db: Database,
  scope: AdminScope,
  input: { userId: string; limitFen: number | null },
  actor: AuditActor,
) {
  const change = { dailyRefundLimitFen: input.limitFen };
  return changeAccount(db, scope, input.userId, change, "user.daily_limit_changed", actor);
}

/** A new password (typed or generated, returned once); a lockout from failed sign-ins is lifted with it. */
export async function resetPassword(
  db: Database,
  scope: AdminScope,
  input: { userId: string; password?: string },
  actor: AuditActor,
): Promise<Result<{ user: UserSummary; generatedPassword?: string }, UserAdminError>> {
  const chosen = chosenPassword(input.password);
  if (!chosen.ok) return chosen;
  const passwordHash = await hashPassword(chosen.value.password);
  // Every session opened with the old password ends (app/_server/session.ts compares the version).
  const change = {
    passwordHash,
    failedLoginCount: 0,
    lockedUntil: null,
    sessionVersion: sql`${users.sessionVersion} + 1`,
  };
  const changed = await changeAccount(db, scope, input.userId, change, "user.password_reset", actor, (before) => ({
    before: { lockedUntil: before.lockedUntil },
    after: { lockedUntil: null },
    passwordGenerated: chosen.value.generated,
  }));
  if (!changed.ok) return changed;
  return ok({ user: changed.value, ...(chosen.value.generated ? { generatedPassword: chosen.value.password } : {}) });
}
