import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { verifyPassword } from "../auth/password";
import { merchants, orders, refunds, users } from "../db/schema";
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
