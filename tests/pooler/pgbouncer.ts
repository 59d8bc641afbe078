import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** Where Debian's `pgbouncer` package puts the binary (`.ci/run` installs it). */
export const PGBOUNCER = "/usr/sbin/pgbouncer";

export interface RunningPgBouncer {
  /** `url` with its host and port replaced by the pooler's. */
  through(url: string): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(socket.end() && true));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`PgBouncer did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A real PgBouncer in transaction mode in front of `serverUrl`'s PostgreSQL, with a deliberately small server pool
 * (`poolSize` connections per database) so that consecutive transactions of one client land on different server
 * connections, as they do in production under load. PgBouncer refuses to run as root: as root it runs as `postgres`.
 */
export async function startPgBouncer(serverUrl: string, poolSize = 2): Promise<RunningPgBouncer> {
  const server = new URL(serverUrl);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "pgbouncer-"));
  const user = decodeURIComponent(server.username || "postgres");
  writeFileSync(path.join(dir, "userlist.txt"), `"${user}" ""\n`);
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 200",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
    ].join("\n"),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresAccount();
    chownSync(dir, uid, gid);
    for (const file of ["userlist.txt", "pgbouncer.ini"]) chownSync(path.join(dir, file), uid, gid);
  }
  const ini = path.join(dir, "pgbouncer.ini");
  const child: ChildProcess = asRoot
    ? spawn("runuser", ["-u", "postgres", "--", PGBOUNCER, ini], { stdio: "ignore" })
    : spawn(PGBOUNCER, [ini], { stdio: "ignore" });
  await listening(port, 10_000);
  return {
    through(url: string) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      // SIGTERM is PgBouncer's immediate shutdown (runuser passes it on); SIGKILL if it lingers.
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const lingering = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(lingering);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The uid and gid of the `postgres` account that Debian's PostgreSQL packages create. */
function postgresAccount(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("no postgres account to run PgBouncer as (it refuses to run as root)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}
