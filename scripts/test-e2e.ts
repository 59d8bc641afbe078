import path from "node:path";
import { runBrowserTests, withDatabase } from "./browser-tests";
import { startEmbeddedPostgres } from "./embedded-db";
import { DATA_DIR } from "./local-secrets";

/** Only the browser tests (`npm run test:e2e -- e2e/some.spec.ts`): build if needed, fresh database, Playwright. */
const configured = process.env.DATABASE_URL;
const server = configured
  ? { url: (db: string) => withDatabase(configured, db), stop: async () => {} }
  : await startEmbeddedPostgres(path.join(DATA_DIR, "test-postgres"), 54339);
let code: number;
try {
  code = await runBrowserTests(configured ?? server.url("postgres"), process.argv.slice(2));
} finally {
  await server.stop();
}
process.exit(code);
