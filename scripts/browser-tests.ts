import postgres from "postgres";
import { createE2eUsers, createOtherMerchant } from "../e2e/users";
import { createDatabase } from "../lib/db/client";
import { runMigrations } from "../lib/db/migrate";
import { buildIfNeeded } from "./build-if-needed";
import { bin, run } from "./run";

/**
 * The production build, then Playwright against it on a fresh database (migrated, with the e2e users) that is
 * dropped afterwards. `args` go to Playwright (a spec file, `--grep …`). Returns Playwright's exit code.
 */
export async function runBrowserTests(serverUrl: string, args: string[] = []): Promise<number> {
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
    await createOtherMerchant(db);
    await sql.end();
    console.log("\n▶ Browser tests");
    return await run(bin("playwright"), ["test", ...args], { ...process.env, E2E_DATABASE_URL: e2eUrl });
  } finally {
    await admin.unsafe(`drop database if exists ${e2eDatabase} with (force)`).catch(() => {});
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
