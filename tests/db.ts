import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { createDatabase, type Database } from "../lib/db/client";

export interface TestDatabase {
  db: Database;
  sql: postgres.Sql;
  url: string;
  drop: () => Promise<void>;
}

/** A fresh, migrated database of its own (cloned from the template), so test files never see each other's rows. */
export async function createTestDb(): Promise<TestDatabase> {
  const templateUrl = inject("templateDatabaseUrl");
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `rc_test_${randomBytes(6).toString("hex")}`;
  const adminUrl = new URL(templateUrl);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  // The template must have no other connections while it is copied; retry briefly if a parallel clone holds it.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${template}`);
      break;
    } catch (error) {
      if (attempt >= 20 || !String(error).includes("being accessed")) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const u = new URL(templateUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const { db, sql } = createDatabase(url, { max: 20 });
  return {
    db,
    sql,
    url,
    drop: async () => {
      await sql.end();
      const cleanup = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
