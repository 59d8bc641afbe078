import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import type { AuditActor } from "../audit/append";
import { authenticate } from "../auth/login";
import { verifyPassword } from "../auth/password";
import { auditLog, users } from "../db/schema";
import { changeRole, createUser, listUsers, resetPassword, setDailyRefundLimit, setDisabled } from "./admin";

const policy = { maxFailures: 3, lockMinutes: 15 };

describe("user administration", () => {
  let t: TestDatabase;
  let admin: AuditActor & { id: string };

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
    const created = await createUser(t.db, { name: email, email, role, password, dailyRefundLimitFen: null }, admin);
    if (!created.ok) throw new Error(created.error.code);
    return created.value.user;
  }

  beforeAll(async () => {
    t = await createTestDb();
    const [row] = await t.db
      .insert(users)
      .values({ email: "boss@example.com", name: "Boss", passwordHash: "x", role: "admin" })
      .returning();
    admin = { id: row!.id, label: row!.email, ip: "10.0.0.9" };
  });
  afterAll(() => t.drop());

  it("creates a user with a generated password, returned once and stored only as an argon2id hash", async () => {
    const created = await createUser(
      t.db,
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

  it("refuses a taken email whatever its case, and a typed password that is too short", async () => {
    await newUser("taken@example.com", "viewer");
    expect(
      await createUser(
        t.db,
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
    expect(await changeRole(t.db, { userId: user.id, role: "approver" }, admin)).toMatchObject({
      ok: true,
      value: { role: "approver" },
    });
    expect(await setDailyRefundLimit(t.db, { userId: user.id, limitFen: 12_345 }, admin)).toMatchObject({
      ok: true,
      value: { dailyRefundLimitFen: 12_345 },
    });
    expect(await setDailyRefundLimit(t.db, { userId: user.id, limitFen: null }, admin)).toMatchObject({
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
    expect(await setDisabled(t.db, { userId: user.id, disabled: true }, admin)).toMatchObject({
      ok: true,
      value: { disabled: true },
    });
    expect(await authenticate(t.db, "gone@example.com", "the-right-password", policy, null)).toEqual({
      ok: false,
      reason: "disabled",
    });
    expect(await setDisabled(t.db, { userId: user.id, disabled: false }, admin)).toMatchObject({
      ok: true,
      value: { disabled: false },
    });
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
    const reset = await resetPassword(t.db, { userId: user.id }, admin);
    expect(reset.ok && reset.value.generatedPassword).toMatch(/^[A-Za-z0-9]{18}$/);
    expect(
      await authenticate(t.db, "locked@example.com", reset.ok ? reset.value.generatedPassword! : "", policy, null),
    ).toMatchObject({ ok: true });
    const entry = (await auditOf(user.id)).find((e) => e.action === "user.password_reset");
    expect(entry!.details).toMatchObject({ after: { lockedUntil: null }, passwordGenerated: true });
    expect(JSON.stringify(entry)).not.toContain(reset.ok ? reset.value.generatedPassword! : "?");
    expect(await resetPassword(t.db, { userId: user.id, password: "tiny" }, admin)).toMatchObject({
      ok: false,
      error: { code: "PASSWORD_TOO_SHORT" },
    });
  });

  it("never leaves the console without an enabled admin", async () => {
    // Boss is the only admin: cannot demote or disable themself.
    expect(await changeRole(t.db, { userId: admin.id, role: "approver" }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    expect(await setDisabled(t.db, { userId: admin.id, disabled: true }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    expect(await changeRole(t.db, { userId: admin.id, role: "admin" }, admin)).toMatchObject({ ok: true });
    // A disabled admin does not count.
    const dormant = await newUser("dormant-admin@example.com", "admin");
    await setDisabled(t.db, { userId: dormant.id, disabled: true }, admin);
    expect(await setDisabled(t.db, { userId: admin.id, disabled: true }, admin)).toMatchObject({
      ok: false,
      error: { code: "LAST_ADMIN" },
    });
    // With a second enabled admin, either may step down, but not both at once.
    const second = await newUser("second-admin@example.com", "admin");
    const results = await Promise.all([
      changeRole(t.db, { userId: admin.id, role: "operator" }, admin),
      setDisabled(t.db, { userId: second.id, disabled: true }, admin),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: { code: "LAST_ADMIN" } }]);
    const [counted] = await t.db.execute<{ admins: number }>(
      sql`select count(*)::int as admins from users where role = 'admin' and not disabled`,
    );
    expect(counted?.admins).toBe(1);
    expect((await listUsers(t.db)).some((u) => "passwordHash" in u)).toBe(false);
  });

  it("answers USER_NOT_FOUND for an unknown id", async () => {
    expect(
      await changeRole(t.db, { userId: "00000000-0000-4000-8000-000000000000", role: "viewer" }, admin),
    ).toMatchObject({ ok: false, error: { code: "USER_NOT_FOUND" } });
  });
});
