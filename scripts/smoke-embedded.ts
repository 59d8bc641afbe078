import { spawn } from "node:child_process";
import { sql } from "drizzle-orm";
import { createDatabase } from "../lib/db/client";
import { orders } from "../lib/db/schema";
import { openDatabase } from "./database";

/**
 * Smoke test of the default path a newcomer takes: `npm start` with no DATABASE_URL runs on the embedded
 * PostgreSQL under .data/, serves the console, and keeps its data across a restart.
 */
if (process.env.DATABASE_URL) throw new Error("The embedded smoke test must run without DATABASE_URL.");
const port = 3200;

async function startAndProbe(): Promise<void> {
  const app = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  app.stdout.on("data", (c: Buffer) => (output += c.toString()));
  try {
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (app.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      const health = await fetch(`http://localhost:${port}/api/health`).catch(() => null);
      // Ready; and on a freshly seeded database, the start-up jobs have read yesterday's bills too (what a restart
      // must then agree with). A database that was there before had its day read already: no run comes.
      const billsRead = !/Seeded demo data/.test(output) || /"msg":"bill reconciled"/.test(output);
      if (health?.ok && /Sign in/.test(output) && billsRead) break;
      if (Date.now() > deadline) throw new Error(`console did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const login = await fetch(`http://localhost:${port}/login`);
    if (login.status !== 200) throw new Error(`/login answered ${login.status}`);
    const orders = await fetch(`http://localhost:${port}/orders`, { redirect: "manual" });
    if (orders.status !== 307 || !orders.headers.get("location")?.includes("/login"))
      throw new Error("/orders is not guarded");
  } finally {
    if (app.exitCode === null) {
      const exited = new Promise((r) => app.once("exit", r));
      app.kill("SIGTERM");
      await exited;
    }
  }
}

/** The previous server may still be shutting down for a moment after its process exited: try a few times. */
async function openWithRetry(): Promise<Awaited<ReturnType<typeof openDatabase>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase();
    } catch (error) {
      if (attempt >= 10) throw new Error(`embedded PostgreSQL did not start again: ${String(error)}`, { cause: error });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function countOrders(): Promise<number> {
  const database = await openWithRetry();
  const { db, sql: client } = createDatabase(database.url, { max: 1 });
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(orders);
  await client.end();
  await database.stop();
  return row?.n ?? 0;
}

await startAndProbe();
const first = await countOrders();
await startAndProbe();
const second = await countOrders();
if (first < 300 || second !== first)
  throw new Error(`expected the seeded orders to survive a restart, got ${first} then ${second}`);
console.log(`Embedded smoke test passed: console served, ${first} orders kept across a restart.`);
