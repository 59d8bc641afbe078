import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle; queries take `Db` so they run the same inside or outside one. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Db = Database | Transaction;

export function createDatabase(url: string, options: { max?: number } = {}): { db: Database; sql: postgres.Sql } {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
  });
  return { db: drizzle(sql, { schema }), sql };
}

// One client per process, kept across hot reloads in development.
const globalForDb = globalThis as unknown as { appDb?: { db: Database; sql: postgres.Sql }; testDb?: Database };

export function getDb(): Database {
  if (globalForDb.testDb) return globalForDb.testDb;
  if (!globalForDb.appDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set; start the console with `npm start`.");
    globalForDb.appDb = createDatabase(url);
  }
  return globalForDb.appDb.db;
}

/**
 * Test seam: route-level tests call exported handlers, which use `getDb()`; this points it at the test's own
 * database (`undefined` restores the default). Never called by application code.
 */
export function setDbForTests(db: Database | undefined): void {
  globalForDb.testDb = db;
}
