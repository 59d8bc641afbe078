import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runMigrations } from "../../lib/db/migrate";

/** Migrations applied to an empty database produce the whole schema, and applying them again changes nothing. */
describe("migrations", () => {
  const base = new URL(inject("templateDatabaseUrl"));
  base.pathname = "/postgres";
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  const name = `rc_migrate_${process.pid}`;
  const url = new URL(base);
  url.pathname = `/${name}`;

  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("builds the schema on an empty database and is idempotent", async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    await runMigrations(url.toString());
    await runMigrations(url.toString());
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
    const moneyColumns = await sql<{ column_name: string; data_type: string }[]>`
      select column_name, data_type from information_schema.columns
      where table_schema = 'public' and column_name like '%\\_fen' escape '\\'`;
    await sql.end();
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        "users",
        "merchants",
        "orders",
        "refunds",
        "refund_events",
        "notifications",
        "audit_log",
      ]),
    );
    // Money is never a float: every *_fen column is a bigint.
    expect(moneyColumns.length).toBeGreaterThanOrEqual(5);
    for (const column of moneyColumns) expect(column.data_type, column.column_name).toBe("bigint");
  });
});
