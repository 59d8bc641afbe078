import path from "node:path";
import postgres from "postgres";
import { createDatabase, type Database } from "../../lib/db/client";
import { runMigrations } from "../../lib/db/migrate";
import { withDatabase } from "../../scripts/browser-tests";
import { startEmbeddedPostgres } from "../../scripts/embedded-db";
import { DATA_DIR } from "../../scripts/local-secrets";

export interface BenchDatabase {
  url: string;
  db: Database;
  sql: postgres.Sql;
  /** Which server: for the report. */
  server: string;
  drop: () => Promise<void>;
}

let serverUrl: Promise<{ url: string; label: string; stop: () => Promise<void> }> | undefined;

/** The server benchmarks run on: DATABASE_URL's, else an embedded PostgreSQL under .data/bench-postgres. */
function server() {
  serverUrl ??= (async () => {
    const configured = process.env.DATABASE_URL;
    if (configured) return { url: configured, label: "PostgreSQL server (DATABASE_URL)", stop: async () => {} };
    const embedded = await startEmbeddedPostgres(path.join(DATA_DIR, "bench-postgres"), 54349);
    return { url: embedded.url("postgres"), label: "embedded PostgreSQL", stop: embedded.stop };
  })();
  return serverUrl;
}

export async function stopBenchServer(): Promise<void> {
  if (serverUrl) await (await serverUrl).stop();
}

/** A fresh, migrated database for one benchmark; dropped afterwards. */
export async function freshDatabase(name: string): Promise<BenchDatabase> {
  const { url: base, label } = await server();
  const admin = postgres(withDatabase(base, "postgres"), { max: 1, onnotice: () => {} });
  const database = `rc_bench_${name}`;
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  const url = withDatabase(base, database);
  await runMigrations(url);
  const { db, sql } = createDatabase(url, { max: 20 });
  return {
    url,
    db,
    sql,
    server: label,
    drop: async () => {
      await sql.end();
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}
