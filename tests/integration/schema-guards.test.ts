import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, SYSTEM_ACTOR } from "../../lib/audit/append";
import { auditLog, merchants, orders } from "../../lib/db/schema";
import { createTestDb, type TestDatabase } from "../db";

/** The database itself refuses what the money rules forbid, even if application code were wrong. */
describe("schema guards", () => {
  let t: TestDatabase;
  let orderId: number;

  beforeAll(async () => {
    t = await createTestDb();
    const [m] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx1", displayName: "M" })
      .returning();
    const [o] = await t.db
      .insert(orders)
      .values({ merchantId: m!.id, outTradeNo: "T1", transactionId: "4200", totalFen: 1000, paidAt: new Date() })
      .returning();
    orderId = o!.id;
  });
  afterAll(() => t.drop());

  it.each([
    ["refunded beyond the total", { refundedFen: 1001 }],
    ["refunded plus in flight beyond the total", { refundedFen: 600, inFlightFen: 401 }],
    ["negative sums", { inFlightFen: -1 }],
    ["more than 50 refunds", { refundCount: 51 }],
  ])("refuses %s", async (_label, change) => {
    await expect(
      t.db
        .update(orders)
        .set(change)
        .where(sql`${orders.id} = ${orderId}`),
    ).rejects.toThrow();
    const [row] = await t.db
      .select()
      .from(orders)
      .where(sql`${orders.id} = ${orderId}`);
    expect(row).toMatchObject({ refundedFen: 0, inFlightFen: 0, refundCount: 0 });
  });

  it("keeps the audit log append-only", async () => {
    await appendAudit(t.db, SYSTEM_ACTOR, "auth.sign_in", null, { a: 1 });
    const appendOnly = { cause: expect.objectContaining({ message: "audit_log is append-only" }) };
    // Every row on purpose: the trigger must refuse even the widest rewrite.
    // eslint-disable-next-line drizzle/enforce-update-with-where
    await expect(t.db.update(auditLog).set({ action: "rewritten" })).rejects.toMatchObject(appendOnly);
    // eslint-disable-next-line drizzle/enforce-delete-with-where
    await expect(t.db.delete(auditLog)).rejects.toMatchObject(appendOnly);
    const rows = await t.db.select().from(auditLog);
    expect(rows.map((r) => r.action)).toEqual(["auth.sign_in"]);
  });
});
