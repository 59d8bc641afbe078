import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../lib/db/migrate";
import { startEmbeddedPostgres } from "../scripts/embedded-db";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database that each test file clones with CREATE DATABASE … TEMPLATE. */
    templateDatabaseUrl: string;
  }
}

/**
 * Integration tests run on a real PostgreSQL: `TEST_DATABASE_URL` (set by `npm test` from DATABASE_URL or its own
 * embedded server), else an embedded server started here. The schema is migrated once into a template database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const server = await startEmbeddedPostgres(path.join(process.cwd(), ".data", "test-postgres"), 54339);
    serverUrl = server.url("postgres");
    stopServer = server.stop;
  }
  const template = `rc_template_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const templateUrl = withDatabase(serverUrl, template);
  await runMigrations(templateUrl);
  project.provide("templateDatabaseUrl", templateUrl);
  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end();
    await stopServer();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
