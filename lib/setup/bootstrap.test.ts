import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { verifyPassword } from "../auth/password";
import { auditLog, merchants, orders, refunds, users } from "../db/schema";
import { sumRefunds } from "../refunds/status";
import { ensureAdmin } from "./admin";
import { seedDemoData } from "./demo-seed";

describe("start-up bootstrap", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("creates admin@example.com with a random password on an empty database, once", async () => {
    const first = await ensureAdmin(t.db);
    expect(first.kind).toBe("generated");
    if (first.kind !== "generated") return;
    expect(first.password.length).toBeGreaterThanOrEqual(16);
    const [admin] = await t.db.select().from(users);
    expect(admin).toMatchObject({ email: "admin@example.com", platformAdmin: true });
    expect(await verifyPassword(admin!.passwordHash, first.password)).toBe(true);
    expect(await ensureAdmin(t.db)).toEqual({ kind: "existing" });
  });

  it("creates or updates the admin from ADMIN_EMAIL / ADMIN_PASSWORD", async () => {
    await ensureAdmin(t.db, "Boss@Example.com", "first-password-1");
    await ensureAdmin(t.db, "boss@example.com", "second-password-2");
    const bosses = await t.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = 'boss@example.com'`);
    expect(bosses).toHaveLength(1);
    expect(await verifyPassword(bosses[0]!.passwordHash, "second-password-2")).toBe(true);
    // A new password through the environment ends the sessions opened with the old one.
    expect(bosses[0]!.sessionVersion).toBe(1);
  });

  it("leaves an env admin disabled or demoted in the console as it is, says so, and audits nothing unchanged", async () => {
    await ensureAdmin(t.db, "chief@example.com", "chief-password-1");
    await t.db
      .update(users)
      .set({ disabled: true, platformAdmin: false })
      .where(sql`lower(${users.email}) = 'chief@example.com'`);
    const audited = (await t.db.select().from(auditLog)).length;
    const again = await ensureAdmin(t.db, "chief@example.com", "chief-password-1");
    expect(again).toMatchObject({ kind: "configured" });
    expect(again.kind === "configured" && again.notes).toEqual([
      "chief@example.com is disabled in the console; ADMIN_EMAIL does not enable it again",
      "chief@example.com is no longer a platform admin; ADMIN_EMAIL does not restore it",
    ]);
    const [chief] = await t.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = 'chief@example.com'`);
    expect(chief).toMatchObject({ disabled: true, platformAdmin: false, sessionVersion: 0 });
    expect((await t.db.select().from(auditLog)).length).toBe(audited);
  });

  it("seeds demo orders whose cached sums match their refunds, and only once", async () => {
    const result = await seedDemoData(t.db);
    expect(result).toEqual({ seeded: true, orders: 300 });
    expect(await seedDemoData(t.db)).toEqual({ seeded: false, orders: 0 });
    expect(await t.db.$count(merchants)).toBe(1);
    const allRefunds = await t.db.select().from(refunds);
    expect(new Set(allRefunds.map((r) => r.status))).toEqual(
      new Set(["AWAITING_APPROVAL", "PENDING", "PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL", "FAILED"]),
    );
    for (const order of await t.db.select().from(orders)) {
      const own = allRefunds.filter((r) => r.orderId === order.id);
      expect({
        refundedFen: order.refundedFen,
        inFlightFen: order.inFlightFen,
        refundCount: order.refundCount,
      }).toEqual(sumRefunds(own));
    }
  });
});
