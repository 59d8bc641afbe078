import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { preparingClient } from "./prepared-client";
import * as schema from "./schema";
import { envSetting, processEnv } from "../env";

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle; queries take `Db` so they run the same inside or outside one. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Db = Database | Transaction;

export interface DatabaseOptions {
  max?: number;
  /**
   * Session settings, e.g. `{ lock_timeout: "2s" }`: sent when each connection opens, or, `pooled`, at the start of
   * each transaction (statements outside a transaction then run without them).
   */
  settings?: Record<string, string>;
  /**
   * The URL leads to a transaction-mode pooler (PgBouncer before 1.21; DATABASE_POOL_MODE=transaction): consecutive
   * transactions may run on different server connections, so nothing is prepared and no session state is kept.
   */
  pooled?: boolean;
  /** Called with the text of every statement sent (tracing; the statement-count test of the callbacks). */
  onStatement?: (text: string) => void;
}

const pooledSettings = new WeakMap<Database, Record<string, string>>();

/**
 * The session settings a pooled database applies per transaction, for code that opens a transaction of its own on
 * a reserved connection (export cursors); none for a direct one, whose connections carry them from the start.
 */
export function transactionSettingsOf(db: Database): Record<string, string> | undefined {
  return pooledSettings.get(db);
}

export function createDatabase(url: string, options: DatabaseOptions = {}): { db: Database; sql: postgres.Sql } {
  const sessionSettings = options.settings && !options.pooled ? { connection: options.settings } : {};
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    ...(options.pooled ? { prepare: false } : {}),
    ...(options.onStatement ? { debug: (_connection: number, text: string) => options.onStatement!(text) } : {}),
    ...sessionSettings,
  });
  const transactionSettings = options.pooled ? options.settings : undefined;
  const db = drizzle(preparingClient(sql, transactionSettings), { schema });
  if (transactionSettings) pooledSettings.set(db, transactionSettings);
  return { db, sql };
}

type Pool = { db: Database; sql: postgres.Sql };
// One client per process and purpose, kept across hot reloads in development.
const globalForDb = globalThis as unknown as { appDb?: Pool; callbackDb?: Pool; exportDb?: Pool; testDb?: Database };

function databaseUrl(): string {
  const url = processEnv.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set; start the console with `npm start`.");
  return url;
}

/** The console's own pools: behind a transaction-mode pooler when DATABASE_POOL_MODE says so. */
function consolePool(options: Omit<DatabaseOptions, "pooled"> = {}): Pool {
  return createDatabase(databaseUrl(), { ...options, pooled: envSetting("DATABASE_POOL_MODE") === "transaction" });
}

export function getDb(): Database {
  if (globalForDb.testDb) return globalForDb.testDb;
  globalForDb.appDb ??= consolePool();
  return globalForDb.appDb.db;
}

/** Session settings of the callbacks' connections: see `getCallbackDb`. */
export const CALLBACK_SESSION_SETTINGS = { lock_timeout: "2s" };

/**
 * WeChat's callbacks get connections of their own. A burst of callbacks then cannot take every connection the
 * operators' pages need, and their lock waits are bounded: WeChat wants an answer within 5 s, so a refund another
 * writer holds for longer ends this delivery as an error after 2 s (WeChat re-sends) instead of a timeout.
 */
export function getCallbackDb(): Database {
  if (globalForDb.testDb) return globalForDb.testDb;
  globalForDb.callbackDb ??= consolePool({ max: 10, settings: CALLBACK_SESSION_SETTINGS });
  return globalForDb.callbackDb.db;
}

/** Session settings of the exports' connections: see `getExportDb`. */
export const EXPORT_SESSION_SETTINGS = { statement_timeout: "600s" };
/** Exports streaming at once; a further one waits for a connection, never taking one of the pages'. */
export const EXPORT_CONNECTIONS = 3;

/**
 * CSV exports stream through a server-side cursor, holding a connection while the reader downloads: they get a few
 * connections of their own, so a slow or stalled download never takes one the operators' pages need, and a statement
 * timeout ends a download that stalls for good (its connection comes back).
 */
export function getExportDb(): Database {
  if (globalForDb.testDb) return globalForDb.testDb;
  globalForDb.exportDb ??= consolePool({ max: EXPORT_CONNECTIONS, settings: EXPORT_SESSION_SETTINGS });
  return globalForDb.exportDb.db;
}

/**
 * Test seam: route-level tests call exported handlers, which use `getDb()`; this points it at the test's own
 * database (`undefined` restores the default). Never called by application code.
 */
export function setDbForTests(db: Database | undefined): void {
  globalForDb.testDb = db;
}
