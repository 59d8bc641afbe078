import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "messages", "public"];
const FILES = [
  "package-lock.json",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
  "proxy.ts",
  "instrumentation.ts",
];
const FINGERPRINT = path.join(".next", "source-fingerprint");

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (!entry.name.endsWith(".test.ts")) out.push(full);
  }
}

/** A hash of everything the production build is made of, so `npm start` rebuilds only after a change. */
export function sourceFingerprint(): string {
  const files: string[] = [];
  for (const dir of SOURCES) walk(dir, files);
  for (const file of FILES) if (fs.existsSync(file)) files.push(file);
  const hash = createHash("sha256");
  for (const file of files.sort()) hash.update(file).update("\0").update(fs.readFileSync(file)).update("\0");
  return hash.digest("hex");
}

export function buildIfNeeded(): void {
  const fingerprint = sourceFingerprint();
  const built = fs.existsSync(path.join(".next", "BUILD_ID")) && fs.existsSync(FINGERPRINT);
  if (built && fs.readFileSync(FINGERPRINT, "utf8") === fingerprint) return;
  console.log("Building the console (first start or sources changed)…");
  const result = spawnSync(process.execPath, [nextBin(), "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
  fs.writeFileSync(FINGERPRINT, fingerprint);
}

/**
 * Node flags of the console's server process, wherever `next start` runs (npm start, the e2e run, the benches). A
 * request allocates a lot that dies young (Next.js's Request and Response objects, streams, rows), and with V8's
 * default 16 MiB semi-spaces the young generation filled every few hundred requests: garbage collection was a tenth
 * of a callback's CPU. 32 MiB halved how often it runs, took the callback from about 2.2 to 2.0 ms of CPU and left
 * peak memory where it was (docs/benchmarks.md). Deployments that start Next.js themselves set the same flag
 * (docs/deploy.md).
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=32"];

export function nextBin(): string {
  return path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
}
