import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { verifyPassword } from "../lib/auth/password";
import { createDatabase } from "../lib/db/client";
import { runMigrations } from "../lib/db/migrate";
import { users } from "../lib/db/schema";
import { encryptionKeyFrom } from "../lib/crypto/seal";
import { ensureAdmin } from "../lib/setup/admin";
import { realMerchantConfigured, type ConfiguredMerchant } from "../lib/setup/configured-merchant";
import { DEMO_V2_MERCHANT } from "../lib/setup/demo-seed-v2";
import { setUpMerchants } from "../lib/setup/merchants-at-start";
import { buildIfNeeded, nextBin, SERVER_NODE_FLAGS } from "./build-if-needed";
import { startDemoGateway } from "./demo-gateway";
import { openDatabase } from "./database";
import { DATA_DIR, ensureDataDir, persistentSecret } from "./local-secrets";
import { ensureDemoChannel } from "../lib/alerts/channels";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const INITIAL_ADMIN_FILE = path.join(DATA_DIR, "initial-admin-password");
// Seals merchant secrets uploaded in the browser (and the APIv2 demo merchant's); losing .data/encryption-key makes
// them unreadable.
const encryptionKey = process.env.APP_ENCRYPTION_KEY ?? persistentSecret("encryption-key");

const children: ChildProcess[] = [];
const SHUTDOWN_GRACE_MS = 15_000;
// On a signal, `shutdown` stops the console first and the database after it; its listeners are in place before the
// database starts, so a Ctrl-C while it starts stops it too.
const opening = openDatabase({ ownerStopsOnSignal: true });
let stopping = false;
let stopSimulator: () => Promise<void> = async () => {};

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    // The console finishes its open requests first; one that does not end within the grace period is killed.
    const killLate = setTimeout(() => children.forEach((c) => c.kill("SIGKILL")), SHUTDOWN_GRACE_MS);
    await Promise.all(
      children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once("exit", resolve)))),
    );
    clearTimeout(killLate);
    await stopSimulator().catch(() => {});
    await (await opening.catch(() => null))?.stop();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGHUP", () => void shutdown(0));
const database = await opening;

try {
  await runMigrations(database.url);
  const { db, sql } = createDatabase(database.url, { max: 2 });
  const admin = await ensureAdmin(db, process.env.ADMIN_EMAIL, process.env.ADMIN_PASSWORD);
  if (admin.kind === "configured") for (const note of admin.notes) console.warn(`Admin account: ${note}.`);
  if (admin.kind === "generated") {
    ensureDataDir();
    fs.writeFileSync(INITIAL_ADMIN_FILE, `${admin.email}\n${admin.password}\n`, { mode: 0o600 });
  }
  const { configured, demo, demoApiV2, apiKey } = await setUpMerchants(db, process.env);
  reportConfiguredMerchant(configured);
  if (demo.seeded) console.log(`Seeded demo data: ${demo.orders} paid orders with refunds in every status.`);
  if (demoApiV2.seeded)
    console.log(`Seeded the APIv2 demo merchant ${DEMO_V2_MERCHANT.mchid}: ${demoApiV2.orders} paid orders.`);
  const login = await initialLogin(db);
  if (apiKey.kind === "created") console.log("Merchant API key from MERCHANT_API_KEY registered.");
  // Without real credentials, the bundled simulator plays WeChat Pay for the demo merchant.
  const gatewayEnv = realMerchantConfigured(process.env) ? {} : await startSimulator(db);
  await sql.end();

  if (!dev) buildIfNeeded();
  const env = {
    ...process.env,
    NODE_ENV: (dev ? "development" : "production") as "development" | "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.url,
    AUTH_SECRET: process.env.AUTH_SECRET ?? persistentSecret("auth-secret"),
    APP_ENCRYPTION_KEY: encryptionKey,
    APP_URL: appUrl,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? appUrl,
    PORT: String(port),
    ...gatewayEnv,
  };
  const app = spawn(process.execPath, [...SERVER_NODE_FLAGS, nextBin(), dev ? "dev" : "start", "-p", String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  children.push(app);
  app.stdout?.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (/Ready in|started server/i.test(chunk.toString())) announce(login);
  });
  app.on("exit", (code: number | null) => void shutdown(code ?? 1));
} catch (error) {
  console.error(error);
  await shutdown(1);
}

async function startSimulator(db: ReturnType<typeof createDatabase>["db"]): Promise<Record<string, string>> {
  const masterKey = encryptionKeyFrom({ APP_ENCRYPTION_KEY: encryptionKey });
  // An unusable key is the console's to report (lib/env.ts); the APIv2 demo merchant then has no keys to refund with.
  if (!masterKey.ok) console.error("APP_ENCRYPTION_KEY is unusable: the APIv2 demo merchant's keys are not stored.");
  const simulator = await startDemoGateway(db, {
    dataDir: process.env.SIMULATOR_DATA_DIR ?? DATA_DIR,
    port: Number(process.env.SIM_PORT ?? 4010),
    // TLS mode, always: the APIv2 demo merchant refunds over mutual TLS, as at WeChat.
    tlsPort: Number(process.env.SIM_TLS_PORT ?? 4011),
    appUrl,
    masterKey: masterKey.ok ? masterKey.value : undefined,
  });
  stopSimulator = simulator.stop;
  if (simulator.apiV2Credentials === "added") console.log("Stored the APIv2 demo merchant's keys (sealed).");
  if (await ensureDemoChannel(db, `${simulator.controlUrl}/_sim/robots/wecom`)) {
    console.log(`Alerts go to the simulator's robot (${simulator.controlUrl}/_sim/, "Robot messages").`);
  }
  console.log(
    `WeChat Pay simulator running on ${simulator.env.WECHATPAY_BASE_URL} (its page: ${simulator.controlUrl}/_sim/).`,
  );
  // The demo's robot and webhook receivers listen on 127.0.0.1; a real merchant's console keeps the SSRF guard.
  return { ...simulator.env, WEBHOOKS_ALLOW_PRIVATE: process.env.WEBHOOKS_ALLOW_PRIVATE ?? "true" };
}

/** One line per problem with the WECHATPAY_* configuration: the console still starts, and shows them too. */
function reportConfiguredMerchant(configured: ConfiguredMerchant): void {
  if (configured.kind === "none") return;
  if (configured.kind !== "invalid") {
    const { mchid, subMchid, apiVersion } = configured.merchant;
    console.log(
      `WeChat Pay merchant ${mchid}${subMchid ? ` (sub-merchant ${subMchid})` : ""} from WECHATPAY_*: ${configured.kind}, API ${apiVersion}.`,
    );
  }
  for (const problem of configured.problems) console.error(`WeChat Pay configuration problem: ${problem}`);
}

/** The sign-in to print: the generated admin's, while its password is still the generated one. */
async function initialLogin(db: ReturnType<typeof createDatabase>["db"]): Promise<string> {
  if (process.env.ADMIN_EMAIL && process.env.ADMIN_PASSWORD)
    return `${process.env.ADMIN_EMAIL} (password from ADMIN_PASSWORD)`;
  if (!fs.existsSync(INITIAL_ADMIN_FILE)) return "your existing accounts";
  const [email = "", password = ""] = fs.readFileSync(INITIAL_ADMIN_FILE, "utf8").split("\n");
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  if (!user || !(await verifyPassword(user.passwordHash, password))) {
    fs.rmSync(INITIAL_ADMIN_FILE);
    return "your existing accounts (the generated admin password has been changed)";
  }
  return `${email} / ${password}`;
}

function announce(login: string): void {
  const database_ = database.embedded ? "embedded PostgreSQL in .data/postgres" : "DATABASE_URL";
  console.log(
    [
      "",
      "  WeChat Pay refund console is ready.",
      `  Open      ${appUrl}`,
      `  Sign in   ${login}`,
      `  Database  ${database_}`,
      "",
    ].join("\n"),
  );
}
