import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import type { AuditActor } from "../audit/append";
import { authenticate } from "../auth/login";
import { verifyPassword } from "../auth/password";
import { auditLog, merchants, userMerchants, users } from "../db/schema";
import {
  changeRole,
  createUser,
  getUser,
  listUsers,
  removeMember,
  resetPassword,
  setDailyRefundLimit,
  setDisabled,
  type AdminScope,
} from "./admin";

const policy = { maxFailures: 3, lockMinutes: 15 };

describe("user administration", () => {
  let t: TestDatabase;
  let admin: AuditActor & { id: string };
  /** Boss, the admin of merchant M (not a platform admin), manages M's members. */
  let scope: AdminScope;
  let otherMerchant: string;

  const auditOf = (userId: string) =>
    t.db
      .select({ action: auditLog.action, details: auditLog.details, actorLabel: auditLog.actorLabel })
      .from(auditLog)
      .where(eq(auditLog.targetId, userId))
      .orderBy(auditLog.id);

  async function newUser(
    email: string,
    role: "viewer" | "operator" | "approver" | "admin",
    password = "a-typed-password",
  ) {
    const input = { name: email, email, role, password, dailyRefundLimitFen: null };
    const created = await createUser(t.db, scope.merchantId, input, admin);
    if (!created.ok) throw new Error(created.error.code);
    return created.value.user;
  }

  beforeAll(async () => {
    t = await createTestDb();
    const [m, other] = await t.db
      .insert(merchants)
      .values([
        { mchid: "1900000109", appid: "wx1", displayName: "M" },
        { mchid: "1900000999", appid: "wx9", displayName: "Other" },
      ])
      .returning();
    scope = { merchantId: m!.id, platformAdmin: false };
    otherMerchant = other!.id;
    const [row] = await t.db
      .insert(users)
      .values({ email: "boss@example.com", name: "Boss", passwordHash: "x" })
      .returning();
    await t.db.insert(userMerchants).values({ userId: row!.id, merchantId: m!.id, role: "admin" });
    admin = { id: row!.id, label: row!.email, ip: "10.0.0.9" };
  });
  afterAll(() => t.drop());

  it("creates a user with a generated password, returned once and stored only as an argon2id hash", async () => {
    const created = await createUser(
      t.db,
      scope.merchantId,
      { name: "Olga", email: " Olga@Example.com ", role: "operator", dailyRefundLimitFen: 500_000 },
      admin,
    );
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const { user, generatedPassword } = created.value;
    expect(user).toMatchObject({
      email: "olga@example.com",
      role: "operator",
      dailyRefundLimitFen: 500_000,
      disabled: false,
    });
    expect(user).not.toHaveProperty("passwordHash");
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.passwordHash, generatedPassword!)).toBe(true);
    const [entry] = await auditOf(user.id);
    expect(entry).toEqual({
      action: "user.created",
      actorLabel: "boss@example.com",
      details: {
        after: {
          email: "olga@example.com",
          name: "Olga",
          role: "operator",
          disabled: false,
          dailyRefundLimitFen: 500_000,
        },
        passwordGenerated: true,
      },
    });
  });

  it("refuses a member's email whatever its case, and a typed password that is too short", async () => {
    await newUser("taken@example.com", "viewer");
    expect(
      await createUser(
        t.db,
        scope.merchantId,
        { name: "x", email: "TAKEN@example.com", role: "viewer", dailyRefundLimitFen: null },
        admin,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: "EMAIL_TAKEN", field: "email" },
    });
    expect(
      await createUser(
        t.db,
        scope.merchantId,
        { name: "x", email: "short@example.com", role: "viewer", password: "short", dailyRefundLimitFen: null },
        admin,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: "PASSWORD_TOO_SHORT", field: "password" },
    });
  });

  it("changes a role and the daily limit, auditing only what changed", async () => {
    const user = await newUser("role@example.com", "viewer");
    expect(await changeRole(t.db, scope.merchantId, { userId: user.id, role: "approver" }, admin)).toMatchObject({
      ok: true,
      value: { role: "approver" },
    });
    expect(await setDailyRefundLimit(t.db, scope, { userId: user.id, limitFen: 12_345 }, admin)).toMatchObject({
      ok: true,
      value: { dailyRefundLimitFen: 12_345 },
    });
    expect(await setDailyRefundLimit(t.db, scope, { userId: user.id, limitFen: null }, admin)).toMatchObject({
      ok: true,
      value: { dailyRefundLimitFen: null },
    });
    const entries = (await auditOf(user.id)).slice(1);
    expect(entries).toEqual([
      {
        action: "user.role_changed",
        actorLabel: admin.label,
        details: { before: { role: "viewer" }, after: { role: "approver" } },
      },
      {
        action: "user.daily_limit_changed",
        actorLabel: admin.label,
        details: { before: { dailyRefundLimitFen: null }, after: { dailyRefundLimitFen: 12_345 } },
      },
      {
        action: "user.daily_limit_changed",
        actorLabel: admin.label,
        details: { before: { dailyRefundLimitFen: 12_345 }, after: { dailyRefundLimitFen: null } },
      },
    ]);
  });

  it("disables and enables: a disabled user cannot sign in even with the right password", async () => {
    const user = await newUser("gone@example.com", "operator", "the-right-password");
    expect(await setDisabled(t.db, scope, { userId: user.id, disabled: true }, admin)).toMatchObject({
      ok: true,
      value: { disabled: true },
    });
    expect(await authenticate(t.db, "gone@example.com", "the-right-password", policy, null)).toEqual({
      ok: false,
      reason: "disabled",
    });
    expect(await setDisabled(t.db, scope, { userId: user.id, disabled: false }, admin)).toMatchObject({
      ok: true,
      value: { disabled: false },
    });
    // Disabling ended the sessions for good: enabling again does not bring them back.
    expect((await t.db.select().from(users).where(eq(users.id, user.id)))[0]!.sessionVersion).toBe(1);
    expect(await authenticate(t.db, "gone@example.com", "the-right-password", policy, null)).toMatchObject({
      ok: true,
    });
    const actions = (await auditOf(user.id)).filter((e) => e.action.startsWith("user.") && e.action !== "user.created");
    expect(actions).toEqual([
      {
        action: "user.disabled",
        actorLabel: admin.label,
        details: { before: { disabled: false }, after: { disabled: true } },
      },
      {
        action: "user.enabled",
        actorLabel: admin.label,
        details: { before: { disabled: true }, after: { disabled: false } },
      },
    ]);
  });

  it("resets a password, lifting a lockout, and audits it without the password", async () => {
    const user = await newUser("locked@example.com", "viewer");
    await t.db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() + 600_000) })
      .where(eq(users.id, user.id));
    const reset = await resetPassword(t.db, scope, { userId: user.id }, admin);
    expect(reset.ok && reset.value.generatedPassword).toMatch(/^[A-Za-z0-9]{18}$/);
    // Sessions opened with the old password end: their version no longer matches.
    expect((await t.db.select().from(users).where(eq(users.id, user.id)))[0]!.sessionVersion).toBe(1);
    expect(
      await authenticate(t.db, "locked@example.com", reset.ok ? reset.value.generatedPassword! : "", policy, null),
    ).toMatchObject({ ok: true });
    const entry = (await auditOf(user.id)).find((e) => e.action === "user.password_reset");
    expect(entry!.details).toMatchObject({ after: { lockedUntil: null }, passwordGenerated: true });
    expect(JSON.stringify(entry)).not.toContain(reset.ok ? reset.value.generatedPassword! : "?");
    expect(await resetPassword(t.db, scope, { userId: user.id, password: "tiny" }, admin)).toMatchObject({
      ok: false,
      error: { code: "PASSWORD_TOO_SHORT" },
    });
  });

  it("never leaves a merchant without an enabled admin", async () => {
    // Boss is the only admin: cannot demote or disable themself.
    expect(await changeRole(t.db, scope.merchantId, { userId: admin.id, role: "approver" }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    expect(await setDisabled(t.db, scope, { userId: admin.id, disabled: true }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    expect(await changeRole(t.db, scope.merchantId, { userId: admin.id, role: "admin" }, admin)).toMatchObject({
      ok: true,
    });
    // A disabled admin does not count.
    const dormant = await newUser("dormant-admin@example.com", "admin");
    await setDisabled(t.db, scope, { userId: dormant.id, disabled: true }, admin);
    expect(await setDisabled(t.db, scope, { userId: admin.id, disabled: true }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    // With a second enabled admin, either may step down, but not both at once.
    const second = await newUser("second-admin@example.com", "admin");
    const results = await Promise.all([
      changeRole(t.db, scope.merchantId, { userId: admin.id, role: "operator" }, admin),
      setDisabled(t.db, scope, { userId: second.id, disabled: true }, admin),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: { code: "LAST_ADMIN" } }]);
    const [counted] = await t.db.execute<{ admins: number }>(
      sql`select count(*)::int as admins from user_merchants m join users u on u.id = m.user_id
          where m.merchant_id = ${scope.merchantId} and m.role = 'admin' and not u.disabled`,
    );
    expect(counted?.admins).toBe(1);
    expect((await listUsers(t.db, scope.merchantId)).some((u) => "passwordHash" in u)).toBe(false);
  });

  it("answers USER_NOT_FOUND for an unknown id", async () => {
    expect(
      await changeRole(
        t.db,
        scope.merchantId,
        { userId: "00000000-0000-4000-8000-000000000000", role: "viewer" },
        admin,
      ),
    ).toMatchObject({ ok: false, error: { code: "USER_NOT_FOUND" } });
  });

  it("adds an existing account of another merchant as a member, keeping its password and its other merchant", async () => {
    const [outsider] = await t.db
      .insert(users)
      .values({ email: "shared@example.com", name: "Shared", passwordHash: "kept-hash" })
      .returning();
    await t.db.insert(userMerchants).values({ userId: outsider!.id, merchantId: otherMerchant, role: "approver" });
    const input = { name: "ignored", email: "Shared@Example.com", role: "viewer" as const, dailyRefundLimitFen: null };
    const added = await createUser(t.db, scope.merchantId, input, admin);
    expect(added).toMatchObject({ ok: true, value: { user: { id: outsider!.id, role: "viewer", name: "Shared" } } });
    expect(added.ok && added.value.generatedPassword).toBeFalsy();
    const [row] = await t.db.select().from(users).where(eq(users.id, outsider!.id));
    expect(row!.passwordHash).toBe("kept-hash");
    expect((await auditOf(outsider!.id)).map((e) => e.action)).toEqual(["user.member_added"]);

    // The account works for another merchant too: only a platform admin changes the account itself.
    for (const change of [
      setDisabled(t.db, scope, { userId: outsider!.id, disabled: true }, admin),
      resetPassword(t.db, scope, { userId: outsider!.id }, admin),
      setDailyRefundLimit(t.db, scope, { userId: outsider!.id, limitFen: 1 }, admin),
    ]) {
      expect(await change).toMatchObject({ ok: false, error: { code: "ACCOUNT_SHARED" } });
    }
    const platform = { ...scope, platformAdmin: true };
    expect(await setDailyRefundLimit(t.db, platform, { userId: outsider!.id, limitFen: 1 }, admin)).toMatchObject({
      ok: true,
    });
    // Its role here is this merchant's alone.
    expect(await changeRole(t.db, scope.merchantId, { userId: outsider!.id, role: "operator" }, admin)).toMatchObject({
      ok: true,
    });
    const roles = await t.db.select().from(userMerchants).where(eq(userMerchants.userId, outsider!.id));
    expect(roles.map((r) => [r.merchantId === otherMerchant, r.role]).sort()).toEqual([
      [false, "operator"],
      [true, "approver"],
    ]);
  });

  it("does not find another merchant's users, whatever the admin asks", async () => {
    const [theirs] = await t.db
      .insert(users)
      .values({ email: "theirs@example.com", name: "Theirs", passwordHash: "x" })
      .returning();
    await t.db.insert(userMerchants).values({ userId: theirs!.id, merchantId: otherMerchant, role: "operator" });
    const userId = theirs!.id;
    expect(await getUser(t.db, scope.merchantId, userId)).toBeUndefined();
    expect((await listUsers(t.db, scope.merchantId)).map((u) => u.id)).not.toContain(userId);
    for (const attempt of [
      changeRole(t.db, scope.merchantId, { userId, role: "admin" }, admin),
      setDisabled(t.db, { ...scope, platformAdmin: true }, { userId, disabled: true }, admin),
      resetPassword(t.db, scope, { userId }, admin),
      removeMember(t.db, scope.merchantId, { userId }, admin),
    ]) {
      expect(await attempt).toMatchObject({ ok: false, error: { code: "USER_NOT_FOUND" } });
    }
    const [after] = await t.db.select().from(users).where(eq(users.id, userId));
    expect(after).toMatchObject({ disabled: false, passwordHash: "x" });
  });

  it("removes a member from this merchant only, but never the last admin", async () => {
    const leaving = await newUser("leaving@example.com", "operator");
    await t.db.insert(userMerchants).values({ userId: leaving.id, merchantId: otherMerchant, role: "viewer" });
    expect(await removeMember(t.db, scope.merchantId, { userId: leaving.id }, admin)).toEqual({
      ok: true,
      value: null,
    });
    expect(await getUser(t.db, scope.merchantId, leaving.id)).toBeUndefined();
    const left = await t.db.select().from(userMerchants).where(eq(userMerchants.userId, leaving.id));
    expect(left.map((m) => m.merchantId)).toEqual([otherMerchant]);
    const admins = (await listUsers(t.db, scope.merchantId)).filter((u) => u.role === "admin" && !u.disabled);
    expect(admins).toHaveLength(1);
    expect(await removeMember(t.db, scope.merchantId, { userId: admins[0]!.id }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
  });
});
