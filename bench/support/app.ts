import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { buildIfNeeded, nextBin, SERVER_NODE_FLAGS } from "../../scripts/build-if-needed";

export interface RunningApp {
  url: string;
  pid: number;
  /** Resident memory of the server and its child processes, in MiB. */
  rssMiB: () => number;
  stop: () => Promise<void>;
}

/** The production build under `next start` (with `npm start`'s Node flags), on the given database, with the given extra environment. */
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
    [...SERVER_NODE_FLAGS, ...nodeArgs, nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"],
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

/** A process and its descendants (Linux /proc). */
function processTree(root: number): Set<number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(Number(entry))[1]));
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
  return tree;
}

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [1] the parent, [11] utime, [12] stime. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Sum of a value read per process over a process and its descendants; processes that end meanwhile count 0. */
function treeSum(root: number, read: (pid: number) => number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      total += read(pid);
    } catch {
      // ended
    }
  }
  return total;
}

/** Sum of VmRSS over a process and its descendants. */
export function treeRssKiB(root: number): number {
  return treeSum(root, (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0));
}

/** CPU time (user + system) used so far by a process and its descendants, in milliseconds (clock ticks of 10 ms). */
export function treeCpuMs(root: number): number {
  return treeSum(root, (pid) => {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) * 10;
  });
}

/** Samples `measure` every 200 ms until stopped; returns the peak. */
export function peakSampler(measure: () => number): { stop: () => number } {
  let peak = measure();
  const timer = setInterval(() => (peak = Math.max(peak, measure())), 200);
  return { stop: () => (clearInterval(timer), Math.max(peak, measure())) };
}
