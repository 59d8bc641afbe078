import path from "node:path";
import { startEmbeddedPostgres } from "./embedded-db";
import { DATA_DIR } from "./local-secrets";
import { bin, run } from "./run";

/**
 * `npm run test:chaos`: the chaos run of tests/chaos at CI size (1,000 attempts), or `CHAOS_ATTEMPTS=10000` for the
 * long run; it prints the invariants with their counts. PostgreSQL from DATABASE_URL, else an embedded server.
 * `npm test` runs the same test at 300 attempts.
 */
const configured = process.env.DATABASE_URL;
const server = configured ? undefined : await startEmbeddedPostgres(path.join(DATA_DIR, "test-postgres"), 54339);
let code: number;
try {
  code = await run(bin("vitest"), ["run", "tests/chaos"], {
    ...process.env,
    TEST_DATABASE_URL: configured ?? server!.url("postgres"),
    CHAOS_ATTEMPTS: process.env.CHAOS_ATTEMPTS ?? "1000",
  });
} finally {
  await server?.stop();
}
process.exit(code);
