import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { auditLog, users } from "../db/schema";
import { freshMinute } from "../../tests/fixtures/minute";
import { authenticate, UNKNOWN_EMAILS_AUDITED_PER_MINUTE } from "./login";
import { SIGN_IN_LIMITS } from "./throttle";
import { hashPassword } from "./password";

const policy = { maxFailures: 3, lockMinutes: 15 };

describe("authenticate", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDb();
    const passwordHash = await hashPassword("correct horse battery");
    await t.db.insert(users).values([
      { email: "op@example.com", name: "Op", passwordHash },
      { email: "gone@example.com", name: "Gone", passwordHash, disabled: true },
      { email: "lock@example.com", name: "Lock", passwordHash },
    ]);
  });
  afterAll(() => t.drop());

  it("signs in with the right password, whatever the email's case", async () => {
    const outcome = await authenticate(t.db, " OP@Example.com ", "correct horse battery", policy, "10.0.0.1");
    expect(outcome).toMatchObject({ ok: true, user: { email: "op@example.com" } });
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "auth.sign_in"));
    expect(entry).toMatchObject({ actorLabel: "op@example.com", ip: "10.0.0.1" });
  });

  it("answers an unknown email exactly like a wrong password", async () => {
    const unknown = await authenticate(t.db, "nobody@example.com", "x", policy, null);
    const wrong = await authenticate(t.db, "op@example.com", "wrong", policy, null);
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a disabled account even with the right password", async () => {
    expect(await authenticate(t.db, "gone@example.com", "correct horse battery", policy, null)).toEqual({
      ok: false,
      reason: "disabled",
    });
  });

  it("locks the account after repeated failures, then unlocks when the time is up", async () => {
    const now = new Date("2026-11-23T10:00:00Z");
    for (let i = 0; i < policy.maxFailures; i++) {
      expect(await authenticate(t.db, "lock@example.com", `guess-${i}`, policy, null, now)).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    // The right password no longer helps while the lock lasts.
    expect(await authenticate(t.db, "lock@example.com", "correct horse battery", policy, null, now)).toEqual({
      ok: false,
      reason: "locked",
    });
    const later = new Date(now.getTime() + 16 * 60_000);
    expect(await authenticate(t.db, "lock@example.com", "correct horse battery", policy, null, later)).toMatchObject({
      ok: true,
    });
    const [user] = await t.db.select().from(users).where(eq(users.email, "lock@example.com"));
    expect(user).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    const failures = await t.db.select().from(auditLog).where(eq(auditLog.action, "auth.sign_in_failed"));
    expect(failures.filter((f) => f.actorLabel === "lock@example.com")).toHaveLength(policy.maxFailures + 1);
  });

  it("counts parallel guesses exactly", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    await t.db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.email, "op@example.com"));
    await Promise.all(
      Array.from({ length: policy.maxFailures }, (_, i) =>
        authenticate(t.db, "op@example.com", `p${i}`, policy, null, now),
      ),
    );
    const [user] = await t.db.select().from(users).where(eq(users.email, "op@example.com"));
    expect(user?.lockedUntil?.getTime()).toBe(now.getTime() + policy.lockMinutes * 60_000);
  });

  describe("throttling (#17)", () => {
    const fresh = async (email: string) => {
      await freshMinute(t.db);
      const passwordHash = await hashPassword("correct horse battery");
      await t.db.insert(users).values({ email, name: email, passwordHash }).onConflictDoNothing();
    };

    it("locks the account under 40 parallel wrong passwords, and the right one is refused after", async () => {
      await fresh("forty@example.com");
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          authenticate(t.db, "forty@example.com", `guess-${i}`, policy, `10.1.0.${i}`),
        ),
      );
      expect(outcomes.every((o) => !o.ok)).toBe(true);
      const [user] = await t.db.select().from(users).where(eq(users.email, "forty@example.com"));
      expect(user!.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
      await t.db.execute(sql`delete from rate_limit_windows`);
      expect(await authenticate(t.db, "forty@example.com", "correct horse battery", policy, "10.1.1.1")).toEqual({
        ok: false,
        reason: "locked",
      });
    });

    it("refuses an address past its failures this minute, even with the right password, before checking it", async () => {
      await fresh("sprayed@example.com");
      for (let i = 0; i < SIGN_IN_LIMITS.failuresPerAddress; i++) {
        await authenticate(t.db, `nobody-${i}@example.com`, "Spring2026!", policy, "198.51.100.9");
      }
      const audited = (await t.db.select().from(auditLog)).length;
      expect(await authenticate(t.db, "sprayed@example.com", "correct horse battery", policy, "198.51.100.9")).toEqual({
        ok: false,
        reason: "throttled",
      });
      // Not audited: a flood writes no row per attempt into the append-only log.
      expect((await t.db.select().from(auditLog)).length).toBe(audited);
      // Another address is not held back.
      expect(
        await authenticate(t.db, "sprayed@example.com", "correct horse battery", policy, "198.51.100.10"),
      ).toMatchObject({ ok: true });
    });

    it("refuses an account past its failures this minute, whatever the address; successes do not count", async () => {
      await fresh("regular@example.com");
      for (let i = 0; i < SIGN_IN_LIMITS.failuresPerAccount + 2; i++) {
        expect(
          await authenticate(t.db, "regular@example.com", "correct horse battery", policy, "192.0.2.1"),
        ).toMatchObject({
          ok: true,
        });
      }
      await fresh("guessed@example.com");
      const lenient = { maxFailures: 100, lockMinutes: 15 };
      for (let i = 0; i < SIGN_IN_LIMITS.failuresPerAccount; i++) {
        await authenticate(t.db, "guessed@example.com", `guess-${i}`, lenient, `203.0.113.${i}`);
      }
      expect(
        await authenticate(t.db, "guessed@example.com", "correct horse battery", lenient, "203.0.113.200"),
      ).toEqual({ ok: false, reason: "throttled" });
    });

    it("audits sign-ins with made-up emails a few a minute at most, however many addresses they come from", async () => {
      await freshMinute(t.db);
      const before = (await t.db.select().from(auditLog)).length;
      for (let i = 0; i < UNKNOWN_EMAILS_AUDITED_PER_MINUTE + 20; i++) {
        expect(await authenticate(t.db, `made-up-${i}@example.com`, "x", policy, `192.0.2.${i}`)).toEqual({
          ok: false,
          reason: "invalid",
        });
      }
      expect((await t.db.select().from(auditLog)).length - before).toBe(UNKNOWN_EMAILS_AUDITED_PER_MINUTE);
    });
  });
});
