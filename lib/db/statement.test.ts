import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { notifications } from "./schema";
import { asPlaceholders, statement, statementsByShape } from "./statement";

const insertNotification = statementsByShape((db, columns: Record<string, unknown>) =>
  db
    .insert(notifications)
    .values(columns as typeof notifications.$inferInsert)
    .returning(),
);

const notificationById = statement((db) =>
  db
    .select()
    .from(notifications)
    .where(eq(notifications.id, sql.placeholder("id"))),
);

const received = {
  protocol: "v3" as const,
  verification: "verified" as const,
  outcome: "error",
  headers: { "wechatpay-serial": "S1" },
  rawBody: "{}",
  receivedAt: new Date("2026-12-04T08:00:00.123Z"),
};

describe("statements built once", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("maps rows as drizzle does: dates as dates, JSON as objects, nulls as SQL nulls", async () => {
    const values = asPlaceholders({ ...received, decrypted: { refund_status: "SUCCESS" }, notificationId: null });
    const [row] = await insertNotification(t.db, values.shape, values.columns, values.bound);
    const [built] = await t.db.select().from(notifications).where(eq(notifications.id, row!.id));
    expect(row).toEqual(built);
    expect(row).toMatchObject({
      receivedAt: received.receivedAt,
      headers: received.headers,
      decrypted: { refund_status: "SUCCESS" },
      notificationId: null,
    });
    // A null JSON column stays SQL NULL, not JSON's `null`.
    const withoutJson = asPlaceholders({ ...received, decrypted: null });
    const [bare] = await insertNotification(t.db, withoutJson.shape, withoutJson.columns, withoutJson.bound);
    const [kind] = await t.db.execute<{ is_null: boolean }>(
      sql`select decrypted is null as is_null from notifications where id = ${bare!.id}`,
    );
    expect(kind!.is_null).toBe(true);
  });

  it("runs inside whichever transaction calls it, and is undone with it", async () => {
    const values = asPlaceholders(received);
    let insertedId = 0;
    await t.db
      .transaction(async (tx) => {
        const [row] = await insertNotification(tx, values.shape, values.columns, values.bound);
        insertedId = row!.id;
        // Seen by the transaction that wrote it …
        expect(await notificationById(tx, { id: insertedId })).toHaveLength(1);
        tx.rollback();
      })
      .catch(() => undefined);
    // … and gone with it: the statement ran on the transaction's connection, not the pool's.
    expect(await notificationById(t.db, { id: insertedId })).toHaveLength(0);
  });

  it("names the columns and which are null in the shape, and leaves undefined out", () => {
    const { shape, columns, bound } = asPlaceholders({ a: 1, b: null, c: undefined, d: "x" });
    expect(shape).toBe("a,b=null,d");
    expect(Object.keys(columns)).toEqual(["a", "b", "d"]);
    expect(columns.b).toBeNull();
    expect(bound).toEqual({ a: 1, d: "x" });
  });
});
