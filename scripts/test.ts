import path from "node:path";
import { runBrowserTests, withDatabase } from "./browser-tests";
import { startEmbeddedPostgres } from "./embedded-db";
import { DATA_DIR } from "./local-secrets";
import { bin, run } from "./run";

/**
 * The whole suite: type check, lint (the folder rules included), format check, unit and integration tests on a real PostgreSQL (DATABASE_URL, else an embedded
 * server started for the run), the load tests on their own, then the Playwright browser tests against the production
 * build.
 */
const LOAD_TESTS = "tests/load";
// Needs Debian's pgbouncer, which `.ci/run` installs and runs it with (`npm run test:pooler`).
const POOLER_TESTS = "tests/pooler";
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
  await step("Lint", bin("eslint"), [".", "--max-warnings", "0"]);
  await step("Format", bin("prettier"), ["--check", "."]);
  const testEnv = { ...process.env, TEST_DATABASE_URL: serverUrl };
  await step(
    "Unit and integration tests",
    bin("vitest"),
    ["run", "--exclude", LOAD_TESTS, "--exclude", POOLER_TESTS],
    testEnv,
  );
  // Open-loop load on a process of their own: run alone, so the other test files do not take the CPU they measure.
  await step("Load tests", bin("vitest"), ["run", LOAD_TESTS], testEnv);
  const code = await runBrowserTests(serverUrl);
  if (code !== 0) throw new Error(`Browser tests failed (exit code ${code})`);
} catch (error) {
  console.error(`\n✗ ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await server.stop();
}
process.exit(exitCode);
