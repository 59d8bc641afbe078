import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { eq } from "drizzle-orm";
import { createDatabase } from "./client";
import { merchants } from "./schema";

describe("createDatabase", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("opens every connection with the given session settings (the callbacks' lock_timeout)", async () => {
    const callbacks = createDatabase(t.url, { max: 2, settings: { lock_timeout: "2s" } });
    try {
      const shown = await Promise.all([1, 2].map(() => callbacks.sql.begin((tx) => tx`show lock_timeout`)));
      expect(shown.map(([row]) => row!.lock_timeout)).toEqual(["2s", "2s"]);
      const [plain] = await t.sql`show lock_timeout`;
      expect(plain!.lock_timeout).toBe("0");
    } finally {
      await callbacks.sql.end();
    }
  });

  it("prepares drizzle's queries once per connection, in and out of transactions (one round trip each after that)", async () => {
    const single = createDatabase(t.url, { max: 1 });
    const prepared = async () =>
      (await single.sql`select statement from pg_prepared_statements`).map((r) => String(r.statement));
    try {
      const byMchid = (mchid: string) =>
        single.db.select({ id: merchants.id }).from(merchants).where(eq(merchants.mchid, mchid));
      await byMchid("1");
      await single.db.transaction(async (tx) => {
        await tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.mchid, "2")).for("update");
        await tx.transaction((savepoint) =>
          savepoint.select({ id: merchants.id }).from(merchants).where(eq(merchants.mchid, "2")),
        );
      });
      const first = await prepared();
      for (const mchid of ["3", "4", "5"]) await byMchid(mchid);
      await single.db.transaction((tx) =>
        tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.mchid, "6")).for("update"),
      );
      const after = await prepared();
      expect(first.filter((s) => s.includes('from "merchants"'))).toHaveLength(2);
      expect(after.sort()).toEqual(first.sort());
    } finally {
      await single.sql.end();
    }
  });
});
