import path from "node:path";
import postgres from "postgres";
import { createE2eUsers } from "../e2e/users";
import { createDatabase } from "../lib/db/client";
import { runMigrations } from "../lib/db/migrate";
import { buildIfNeeded } from "./build-if-needed";
import { startEmbeddedPostgres } from "./embedded-db";
import { DATA_DIR } from "./local-secrets";
import { bin, run } from "./run";

/**
 * The whole suite: type check, unit and integration tests on a real PostgreSQL (DATABASE_URL, else an embedded
 * server started for the run), then the Playwright browser tests against the production build.
 */
const configured = process.env.DATABASE_URL;
const server = configured
  ? { url: (db: string) => withDatabase(configured, db), stop: async () => {} }
  : await startEmbeddedPostgres(path.join(DATA_DIR, "test-postgres"), 54339);
const serverUrl = configured ?? server.url("postgres");

let exitCode = 0;
try {
  const step = async (name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
    console.log(`\n▶ ${name}`);
    const code = await run(command, args, env);
    if (code !== 0) throw new Error(`${name} failed (exit code ${code})`);
  };

  await step("Type check", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  await step("Unit and integration tests", bin("vitest"), ["run"], { ...process.env, TEST_DATABASE_URL: serverUrl });

  console.log("\n▶ Production build");
  buildIfNeeded();

  const e2eDatabase = `rc_e2e_${process.pid}`;
  const admin = postgres(withDatabase(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${e2eDatabase} with (force)`);
  await admin.unsafe(`create database ${e2eDatabase}`);
  const e2eUrl = withDatabase(serverUrl, e2eDatabase);
  try {
    await runMigrations(e2eUrl);
    const { db, sql } = createDatabase(e2eUrl, { max: 1 });
    await createE2eUsers(db);
    await sql.end();
    await step("Browser tests", bin("playwright"), ["test"], { ...process.env, E2E_DATABASE_URL: e2eUrl });
  } finally {
    await admin.unsafe(`drop database if exists ${e2eDatabase} with (force)`).catch(() => {});
    await admin.end();
  }
} catch (error) {
  console.error(`\n✗ ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await server.stop();
}
process.exit(exitCode);

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
