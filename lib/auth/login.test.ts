import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { auditLog, users } from "../db/schema";
import { authenticate } from "./login";
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
});
