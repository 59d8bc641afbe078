import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { MIGRATIONS_FOLDER } from "../db/migrate";

/** This process's job workers: started by instrumentation.ts unless JOBS_ENABLED=false. */
export type JobsState = "starting" | "running" | "failed" | "disabled";

const globalForJobs = globalThis as unknown as { jobsState?: JobsState };

export function setJobsState(state: JobsState): void {
  globalForJobs.jobsState = state;
}

export function jobsState(): JobsState {
  return globalForJobs.jobsState ?? "starting";
}

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; jobs: JobsState };
}

/** The newest migration this build ships (drizzle's journal), as drizzle records it when applied. */
function latestMigrationMillis(folder: string): number {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((e) => e.when));
}

/**
 * Whether this instance should take traffic: the database answers, every migration this build ships is applied (an
 * instance of a newer build waits for `npm run db:migrate`), and its job workers run — or were switched off on
 * purpose (JOBS_ENABLED=false). Says which check failed, nothing more.
 */
export async function checkReadiness(
  db: Db,
  jobs: JobsState = jobsState(),
  folder = MIGRATIONS_FOLDER,
): Promise<Readiness> {
  let database = false;
  let migrations = false;
  try {
    await db.execute(sql`select 1`);
    database = true;
    const rows = await db.execute<{ applied: string | null }>(
      sql`select (select max(created_at) from drizzle.__drizzle_migrations)::text as applied where to_regclass('drizzle.__drizzle_migrations') is not null`,
    );
    const applied = Number(rows[0]?.applied ?? 0);
    migrations = applied >= latestMigrationMillis(folder);
  } catch {
    // database stays false when it did not answer; migrations stay false when their table cannot be read
  }
  const jobsOk = jobs === "running" || jobs === "disabled";
  return { ready: database && migrations && jobsOk, checks: { database, migrations, jobs } };
}
