import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { buildIfNeeded, nextBin } from "../../scripts/build-if-needed";

export interface RunningApp {
  url: string;
  pid: number;
  /** Resident memory of the server and its child processes, in MiB. */
  rssMiB: () => number;
  stop: () => Promise<void>;
}

/** The production build under `next start`, on the given database, with the given extra environment. */
export async function startApp(
  databaseUrl: string,
  extraEnv: Record<string, string>,
  port = 3200,
): Promise<RunningApp> {
  buildIfNeeded();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the server: Node refuses those in NODE_OPTIONS.
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: randomBytes(32).toString("hex"),
        APP_URL: url,
        NEXTAUTH_URL: url,
        LOG_LEVEL: "warn",
        ...extraEnv,
      },
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited during start-up:\n${output}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the app did not answer /api/health within 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    rssMiB: () => treeRssKiB(pid) / 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

/** Sum of VmRSS over a process and its descendants (Linux /proc). */
export function treeRssKiB(root: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of tree) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      total += Number(match?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return total;
}

/** Samples `measure` every 200 ms until stopped; returns the peak. */
export function peakSampler(measure: () => number): { stop: () => number } {
  let peak = measure();
  const timer = setInterval(() => (peak = Math.max(peak, measure())), 200);
  return { stop: () => (clearInterval(timer), Math.max(peak, measure())) };
}
