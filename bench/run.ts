/**
 * `npm run bench [-- callbacks crypto lists bulk concurrency tradebill scale] [--dry-run]`: runs the benchmarks (all
 * but `scale` by default), each on its own fresh database, prints their tables and appends them to docs/benchmarks.md
 * with the machine, date and commit. `--dry-run` only prints: for trying a change without recording a run. `scale`
 * (10 M orders: 16 minutes and over 20 GB of disk on the 2-core machine of docs/scaling.md) runs only when named.
 */
import "./support/quiet";
import { runBulkBench } from "./bulk";
import { runCallbacksBench } from "./callbacks";
import { runConcurrencyBench } from "./concurrency";
import { runCryptoBench } from "./crypto";
import { runListsBench } from "./lists";
import { runScaleBench } from "./scale";
import { runTradeBillBench } from "./trade-bill";
import { freshDatabase, stopBenchServer, type BenchDatabase } from "./support/database";
import { publish, type BenchSection } from "./support/report";

const BENCHES: Record<string, (bench: BenchDatabase) => Promise<BenchSection>> = {
  callbacks: runCallbacksBench,
  crypto: () => runCryptoBench(),
  lists: runListsBench,
  bulk: runBulkBench,
  concurrency: runConcurrencyBench,
  tradebill: runTradeBillBench,
};
/** Run only when named. */
const OPT_IN: Record<string, (bench: BenchDatabase) => Promise<BenchSection>> = { scale: runScaleBench };
const ALL = { ...BENCHES, ...OPT_IN };

const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = chosen.filter((name) => !(name in ALL));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Choose from: ${Object.keys(ALL).join(", ")}.`);
  process.exit(2);
}

const sections: BenchSection[] = [];
let server = "";
let failed = false;
const started = performance.now();
for (const name of chosen.length ? chosen : Object.keys(BENCHES)) {
  console.log(`\n▶ bench: ${name}`);
  const bench = await freshDatabase(name);
  server = bench.server;
  const t0 = performance.now();
  try {
    const section = await ALL[name]!(bench);
    sections.push({ ...section, body: `${section.body}\n\n(${Math.round((performance.now() - t0) / 1000)} s)` });
  } catch (error) {
    failed = true;
    console.error(error);
    sections.push({ title: name, body: `Failed: ${(error as Error).message}` });
  } finally {
    await bench.drop();
  }
}
await stopBenchServer();
sections.push({
  title: "Whole run",
  body: `${Math.round((performance.now() - started) / 1000)} s. Reproduce: \`npm run bench\` (optionally with \`DATABASE_URL\`).`,
});
publish(sections, server, { record: !process.argv.includes("--dry-run") });
process.exit(failed ? 1 : 0);
