import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { envSetting } from "../env";
import { createDatabase } from "./client";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/**
 * Apply the committed SQL migrations under drizzle/. Safe to run on every start: applied ones are skipped. Through a
 * transaction-mode pooler (DATABASE_POOL_MODE=transaction) too: they run in one transaction, nothing prepared.
 */
export async function runMigrations(
  databaseUrl: string,
  pooled = envSetting("DATABASE_POOL_MODE") === "transaction",
): Promise<void> {
  const { db, sql } = createDatabase(databaseUrl, { max: 1, pooled });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end();
  }
}
