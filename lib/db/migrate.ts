import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDatabase } from "./client";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/** Apply the committed SQL migrations under drizzle/. Safe to run on every start: applied ones are skipped. */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const { db, sql } = createDatabase(databaseUrl, { max: 1 });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end();
  }
}
