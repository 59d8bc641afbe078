/**
 * Benchmark 1: callback throughput. Distinct, valid, signed and encrypted APIv3 REFUND.SUCCESS callbacks for existing
 * PROCESSING refunds, sent by autocannon to the production build's /api/notify/refund, then the same load against the
 * baseline (bench/baseline/notify-server.ts: bare node:http, same verification, decryption and SQL), the console's own
 * handler on the same bare server (bench/baseline/console-handler-server.ts: the framework's share, ADR 030) and the
 * same process's health check in the same run. Targets of issue #18.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import path from "node:path";
import { startApp, peakSampler, treeCpuMs, treeRssKiB } from "./support/app";
import { SERVER_NODE_FLAGS } from "../scripts/build-if-needed";
import { createBenchMerchant, createCallbackHistory, createProcessingRefunds } from "./support/data";
import type { BenchDatabase } from "./support/database";
import { refundSuccessCallbacks } from "./support/callbacks";
import { sendAll, type LoadResult } from "./support/load";
import { table, type BenchSection } from "./support/report";
import { round, verdict } from "./support/stats";
import { MERCHANT_ENV } from "../tests/fixtures/notifications";

const COUNT = Number(process.env.BENCH_CALLBACKS ?? 12_000);
const WARM_UP = 500;
/** Callbacks already received, as in any live console: the exactly-once check looks among them. */
const HISTORY = 100_000;
const FLOOR_REQUESTS = 10_000;

async function applied(bench: BenchDatabase, prefix: string): Promise<number> {
  const [row] = await bench.sql<
    { n: number }[]
  >`select count(*)::int as n from refunds where out_refund_no like ${`${prefix}R%`} and status = 'SUCCESS'`;
  return row!.n;
}

async function measureTarget(
  bench: BenchDatabase,
  url: string,
  pid: number,
  prefix: string,
): Promise<LoadResult & { rssMiB: number; cpuMsPerCallback: number; applied: number }> {
  const sampler = peakSampler(() => treeRssKiB(pid) / 1024);
  const cpuBefore = treeCpuMs(pid);
  const load = await sendAll(url, refundSuccessCallbacks(prefix, COUNT));
  const cpuMsPerCallback = (treeCpuMs(pid) - cpuBefore) / COUNT;
  const rssMiB = sampler.stop();
  return { ...load, rssMiB, cpuMsPerCallback, applied: await applied(bench, prefix) };
}

type Measured = Awaited<ReturnType<typeof measureTarget>>;

/** A bare server of bench/baseline/ as its own process, measured like the console; stopped afterwards. */
async function measureForked(
  bench: BenchDatabase,
  script: string,
  port: number,
  prefix: string,
  env: Record<string, string>,
): Promise<Measured> {
  const server = fork(path.join(import.meta.dirname, "baseline", script), [String(port)], {
    execArgv: [...SERVER_NODE_FLAGS, "--import", "tsx"],
    env: { ...process.env, DATABASE_URL: bench.url, APP_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await once(server, "message");
    return await measureTarget(bench, `http://127.0.0.1:${port}`, server.pid!, prefix);
  } finally {
    server.kill("SIGTERM");
  }
}

export async function runCallbacksBench(bench: BenchDatabase): Promise<BenchSection> {
  const merchantId = await createBenchMerchant(bench.sql);
  for (const prefix of ["W", "A", "B", "C"])
    await createProcessingRefunds(bench.sql, merchantId, prefix, prefix === "W" ? WARM_UP : COUNT);
  await createCallbackHistory(bench.sql, merchantId, HISTORY);
  await bench.sql`analyze`;

  // The console, as deployed: production build, job workers off so only callbacks load the machine.
  const app = await startApp(bench.url, { ...MERCHANT_ENV, JOBS_ENABLED: "false" });
  let appResult;
  let floor: LoadResult | undefined;
  let floorCpuMs: number | undefined;
  try {
    await sendAll(app.url, refundSuccessCallbacks("W", WARM_UP), 20);
    appResult = await measureTarget(bench, app.url, app.pid, "A");
    // The framework's share, for the reader: the same process answering its health check (one `select 1`).
    const cpuBefore = treeCpuMs(app.pid);
    floor = await sendAll(
      app.url,
      Array.from({ length: FLOOR_REQUESTS }, () => ({ method: "GET" as const, path: "/api/health", headers: {} })),
    );
    floorCpuMs = (treeCpuMs(app.pid) - cpuBefore) / FLOOR_REQUESTS;
  } finally {
    await app.stop();
  }

  // The hand-written ceiling, then the console's own handler on the same bare server (what a custom server in
  // front of Next.js would answer with): both with the console server's Node flags, differing from it only by what
  // is left out.
  const baseResult = await measureForked(bench, "notify-server.ts", 3300, "B", { LOG_LEVEL: "silent" });
  const handlerResult = await measureForked(bench, "console-handler-server.ts", 3301, "C", {
    ...MERCHANT_ENV,
    NODE_ENV: "production",
    AUTH_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
  });

  const ofBaseline = appResult.requestsPerSecond / baseResult.requestsPerSecond;
  const ofHealth = appResult.requestsPerSecond / floor!.requestsPerSecond;
  const handlerOfBaseline = handlerResult.requestsPerSecond / baseResult.requestsPerSecond;
  const row = (name: string, r: typeof appResult) => [
    name,
    round(r.requestsPerSecond, 0),
    r.p50Ms,
    r.p99Ms,
    round(r.cpuMsPerCallback, 2),
    round(r.rssMiB, 0),
    `${r.applied} / ${COUNT}`,
    r.non2xx + r.errors,
  ];
  return {
    title: "1. Refund callback throughput",
    body: [
      table(
        [
          "target",
          "callbacks/s",
          "p50 ms",
          "p99 ms",
          "CPU ms / request",
          "peak RSS MiB",
          "applied",
          "non-2xx / errors",
        ],
        [
          row("console: next start, /api/notify/refund", appResult),
          row("baseline: node:http + postgres.js", baseResult),
          row("the console's handler on node:http, no Next.js", handlerResult),
          [
            "same console process: GET /api/health",
            round(floor!.requestsPerSecond, 0),
            floor!.p50Ms,
            floor!.p99Ms,
            round(floorCpuMs ?? Number.NaN, 2),
            "—",
            "—",
            floor!.non2xx + floor!.errors,
          ],
        ],
      ),
      "",
      `${COUNT.toLocaleString("en")} distinct callbacks per target (each for its own PROCESSING refund), 50 keep-alive connections from autocannon on the same machine; ${WARM_UP} warm-up callbacks first, with ${HISTORY.toLocaleString("en")} earlier callbacks already stored. "applied" counts refunds that reached SUCCESS afterwards. CPU is the server process tree's user + system time over the run, divided by the requests. The health check (Next.js and one \`select 1\`, no verification, ${FLOOR_REQUESTS.toLocaleString("en")} requests) is the ceiling of any route of that process on this machine.`,
      "",
      `- ≥ 60 % of the baseline: ${verdict(ofBaseline >= 0.6, `${round(ofBaseline * 100, 0)} %`)}`,
      `- ≥ 60 % of the same process's /api/health: ${verdict(ofHealth >= 0.6, `${round(ofHealth * 100, 0)} %`)}`,
      `- p99 ≤ 150 ms at 50 connections: ${verdict(appResult.p99Ms <= 150, `${appResult.p99Ms} ms`)}`,
      `- Every callback applied exactly once: ${verdict(appResult.applied === COUNT && appResult.non2xx === 0, `${appResult.applied} of ${COUNT}`)}`,
      `- Not a target, for ADR 030: the console's own handler without Next.js answers ${round(handlerOfBaseline * 100, 0)} % of the baseline's rate (${handlerResult.applied} of ${COUNT} applied); the rest of the console's gap is the framework's.`,
    ].join("\n"),
  };
}
