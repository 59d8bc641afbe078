import { and, asc, eq } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import { changedFields } from "../audit/changes";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "../auth/password";
import type { Database, Transaction } from "../db/client";
import { users, type User, type UserRole } from "../db/schema";
import type { BilingualText } from "../i18n-text";
import { err, ok, type Result } from "../result";

/** A user as the admin pages show it: never the password hash. */
export type UserSummary = Omit<User, "passwordHash" | "failedLoginCount">;

export interface UserAdminError {
  code: "USER_NOT_FOUND" | "EMAIL_TAKEN" | "LAST_ADMIN" | "PASSWORD_TOO_SHORT";
  message: BilingualText;
  field?: "email" | "password";
}

const failure = (code: UserAdminError["code"], zh: string, en: string, field?: UserAdminError["field"]) =>
  err<UserAdminError>({ code, message: { zh, en }, ...(field ? { field } : {}) });

const NOT_FOUND = () => failure("USER_NOT_FOUND", "找不到该用户。", "User not found.");
const LAST_ADMIN = () =>
  failure(
    "LAST_ADMIN",
    "这是最后一位可用的管理员，不能停用或降级。",
    "This is the last enabled admin: it cannot be disabled or demoted.",
  );
const TOO_SHORT = () =>
  failure(
    "PASSWORD_TOO_SHORT",
    `密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符。`,
    `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
    "password",
  );

function summary({ passwordHash: _hash, failedLoginCount: _count, ...rest }: User): UserSummary {
  return rest;
}

/** What the audit log keeps of a user. */
const audited = (u: User) => ({
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  dailyRefundLimitFen: u.dailyRefundLimitFen,
});

export async function listUsers(db: Database): Promise<UserSummary[]> {
  const rows = await db.select().from(users).orderBy(asc(users.disabled), asc(users.name), asc(users.email));
  return rows.map(summary);
}

export async function getUser(db: Database, id: string): Promise<UserSummary | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row && summary(row);
}

/** The password typed by the admin (checked), or a generated one to show once. */
function chosenPassword(typed: string | undefined): Result<{ password: string; generated: boolean }, UserAdminError> {
  if (!typed) return ok({ password: generatePassword(), generated: true });
  return typed.length >= MIN_PASSWORD_LENGTH ? ok({ password: typed, generated: false }) : TOO_SHORT();
}

/**
 * A new account. The password is the admin's, or generated and returned here once (only its argon2id hash is kept).
 * Emails are unique whatever their case.
 */
export async function createUser(
  db: Database,
  input: { name: string; email: string; role: UserRole; password?: string; dailyRefundLimitFen: number | null },
  actor: AuditActor,
): Promise<Result<{ user: UserSummary; generatedPassword?: string }, UserAdminError>> {
  const chosen = chosenPassword(input.password);
  if (!chosen.ok) return chosen;
  const passwordHash = await hashPassword(chosen.value.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({
        name: input.name,
        email: input.email.trim().toLowerCase(),
        role: input.role,
        passwordHash,
        dailyRefundLimitFen: input.dailyRefundLimitFen,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return failure("EMAIL_TAKEN", "该邮箱已被使用。", "This email is already in use.", "email");
    await appendAudit(
      tx,
      actor,
      "user.created",
      { type: "user", id: row.id },
      { after: audited(row), passwordGenerated: chosen.value.generated },
    );
    return ok({ user: summary(row), ...(chosen.value.generated ? { generatedPassword: chosen.value.password } : {}) });
  });
}

/**
 * Whether this user is the only enabled admin. Every enabled admin row is locked, so two admins demoting or disabling
 * each other at the same moment are serialised and the second one sees the first one's change.
 */
async function isLastAdmin(tx: Transaction, userId: string): Promise<boolean> {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false)))
    .for("update");
  return admins.length === 1 && admins[0]!.id === userId;
}

type UserChange = Partial<Pick<User, "role" | "disabled" | "dailyRefundLimitFen">>;

/** Lock, check that an enabled admin remains, write, audit `action` with the changed fields before and after. */
async function changeUser(
  db: Database,
  userId: string,
  change: UserChange,
  action: string,
  actor: AuditActor,
): Promise<Result<UserSummary, UserAdminError>> {
  return db.transaction(async (tx) => {
    const losesAdmin = change.role !== undefined ? change.role !== "admin" : change.disabled === true;
    if (losesAdmin && (await isLastAdmin(tx, userId))) return LAST_ADMIN();
    const [before] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
    if (!before) return NOT_FOUND();
    const [after] = await tx
      .update(users)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    const changes = changedFields(audited(before), audited(after!));
    if (changes) await appendAudit(tx, actor, action, { type: "user", id: userId }, changes);
    return ok(summary(after!));
  });
}

export function changeRole(db: Database, input: { userId: string; role: UserRole }, actor: AuditActor) {
  return changeUser(db, input.userId, { role: input.role }, "user.role_changed", actor);
}

/** A disabled user's session ends at its next request: the session loader re-reads the row every time. */
export function setDisabled(db: Database, input: { userId: string; disabled: boolean }, actor: AuditActor) {
  return changeUser(
    db,
    input.userId,
    { disabled: input.disabled },
    input.disabled ? "user.disabled" : "user.enabled",
    actor,
  );
}

/** The most a user may refund per day, in fen; null for no limit. Enforced where refunds are requested. */
export function setDailyRefundLimit(
  db: Database,
  input: { userId: string; limitFen: number | null },
  actor: AuditActor,
) {
  return changeUser(db, input.userId, { dailyRefundLimitFen: input.limitFen }, "user.daily_limit_changed", actor);
}

/** A new password (typed or generated, returned once); a lockout from failed sign-ins is lifted with it. */
export async function resetPassword(
  db: Database,
  input: { userId: string; password?: string },
  actor: AuditActor,
): Promise<Result<{ user: UserSummary; generatedPassword?: string }, UserAdminError>> {
  const chosen = chosenPassword(input.password);
  if (!chosen.ok) return chosen;
  const passwordHash = await hashPassword(chosen.value.password);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, input.userId)).for("update");
    if (!before) return NOT_FOUND();
    const [after] = await tx
      .update(users)
      .set({ passwordHash, failedLoginCount: 0, lockedUntil: null, updatedAt: new Date() })
      .where(eq(users.id, input.userId))
      .returning();
    await appendAudit(
      tx,
      actor,
      "user.password_reset",
      { type: "user", id: input.userId },
      {
        before: { lockedUntil: before.lockedUntil },
        after: { lockedUntil: null },
        passwordGenerated: chosen.value.generated,
      },
    );
    return ok({
      user: summary(after!),
      ...(chosen.value.generated ? { generatedPassword: chosen.value.password } : {}),
    });
  });
}
