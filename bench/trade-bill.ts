/**
 * Benchmark 6: a day's ALL trade bill of a million lines imported as orders, streamed (gunzip → lines → batches of
 * 1,000 inserts in one transaction). Memory is sampled every 50 ms during the import; the same import of a tenth of
 * the lines is the baseline: bounded memory means the peak does not grow with the lines. The gzip file is made in
 * this process (as WeChat would write it: backticks, summary, SHA1 of the plain text) and handed over as downloaded
 * bytes; its size is what the download holds.
 */
import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import { SYSTEM_ACTOR } from "../lib/audit/append";
import { fenToYuan } from "../lib/money";
import { importTradeBillDay } from "../lib/orders-import/bill-import";
import { ok } from "../lib/result";
import { BILL_COLUMNS, BILL_SUMMARY_COLUMNS } from "../lib/wechatpay/bill-file";
import { MCHID, APPID } from "../tests/fixtures/notifications";
import { createBenchMerchant } from "./support/data";
import type { BenchDatabase } from "./support/database";
import { table, type BenchSection } from "./support/report";
import { round, verdict } from "./support/stats";

const ROWS = Number(process.env.BENCH_TRADE_BILL_ROWS ?? 1_000_000);
const MiB = 2 ** 20;
/** The target: the import's extra memory (over the downloaded file it reads) stays under this, whatever the lines. */
const BOUND_MIB = 128;

/** A bill of `rows` payment lines of one day, gzipped, with its SHA1; the plain text is never held whole. */
async function makeBill(billDate: string, rows: number, prefix: string) {
  const hash = createHash("sha1");
  let plainBytes = 0;
  function* text(): Generator<string> {
    yield `${BILL_COLUMNS.join(",")}\r\n`;
    let total = 0;
    let fee = 0;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      const fen = 100 + (i % 50_000);
      total += fen;
      fee += Math.round((fen * 6) / 1000);
      const second = String(Math.floor((i * 86_399) / rows));
      const time = new Date(Date.parse(`${billDate}T00:00:00+08:00`) + Number(second) * 1000 + 8 * 3_600_000)
        .toISOString()
        .slice(0, 19)
        .replace("T", " ");
      const yuan = fenToYuan(fen);
      const values = [
        time,
        APPID,
        MCHID,
        "0",
        "",
        `42000${prefix}${String(i).padStart(18, "0")}`,
        `${prefix}T${i}`,
        `oUpF8uMuAJO_M2pxb1Q9zNjWeS6o`,
        "JSAPI",
        "SUCCESS",
        "OTHERS",
        "CNY",
        yuan,
        "0.00",
        "0",
        "0",
        "0.00",
        "0.00",
        "",
        "",
        `商品 ${i}`,
        "",
        `${fenToYuan(Math.round((fen * 6) / 1000))}000`,
        "0.60%",
        yuan,
        "0.00",
        "",
      ];
      lines.push(`${values.map((v) => `\`${v}`).join(",")}\r\n`);
      if (lines.length === 1000) yield lines.splice(0).join("");
    }
    yield lines.join("");
    yield `${BILL_SUMMARY_COLUMNS.join(",")}\r\n`;
    const summary = [String(rows), fenToYuan(total), "0.00", "0.00", `${fenToYuan(fee)}000`, fenToYuan(total), "0.00"];
    yield `${summary.map((v) => `\`${v}`).join(",")}\r\n`;
  }
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of gzip) chunks.push(chunk as Buffer);
  })();
  for (const piece of text()) {
    const bytes = Buffer.from(piece, "utf8");
    hash.update(bytes);
    plainBytes += bytes.length;
    if (!gzip.write(bytes)) await new Promise((r) => gzip.once("drain", r));
  }
  gzip.end();
  await collected;
  return { bytes: Buffer.concat(chunks), hashValue: hash.digest("hex"), plainBytes };
}

interface Measured {
  rows: number;
  seconds: number;
  imported: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  extraMiB: number;
  gzipMiB: number;
  plainMiB: number;
}

async function measure(
  bench: BenchDatabase,
  merchantId: string,
  billDate: string,
  rows: number,
  prefix: string,
): Promise<Measured[]> {
  const file = await makeBill(billDate, rows, prefix);
  const resolve = async () =>
    ok({ tradeBillFile: async () => ok({ bytes: file.bytes, hashType: "SHA1", hashValue: file.hashValue }) });
  const results: Measured[] = [];
  for (const run of ["first", "again"]) {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const t0 = performance.now();
    const outcome = await importTradeBillDay(bench.db, resolve, { merchantId, billDate, actor: SYSTEM_ACTOR });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (outcome.day.status !== "IMPORTED")
      throw new Error(`${run}: ${outcome.day.lastErrorCode} ${outcome.day.lastErrorMessage}`);
    console.log(
      `  ${rows} lines (${run}): ${round(seconds)} s, ${outcome.imported} imported, peak RSS ${round(peakRss / MiB)} MiB`,
    );
    results.push({
      rows,
      seconds,
      imported: outcome.imported,
      peakRssMiB: peakRss / MiB,
      peakHeapMiB: peakHeap / MiB,
      extraMiB: (peakRss - before.rss) / MiB,
      gzipMiB: file.bytes.length / MiB,
      plainMiB: file.plainBytes / MiB,
    });
  }
  return results;
}

export async function runTradeBillBench(bench: BenchDatabase): Promise<BenchSection> {
  const merchantId = await createBenchMerchant(bench.sql);
  const small = await measure(bench, merchantId, "2026-11-01", Math.max(1, Math.round(ROWS / 10)), "S");
  const large = await measure(bench, merchantId, "2026-11-02", ROWS, "L");
  const [count] = await bench.sql<
    { n: number }[]
  >`select count(*)::int as n from orders where merchant_id = ${merchantId}`;
  const all = [...small, ...large];
  const rows = all.map((m, i) => [
    m.rows,
    i % 2 === 0 ? "first" : "re-run",
    round(m.seconds),
    Math.round(m.rows / m.seconds),
    m.imported,
    round(m.gzipMiB),
    round(m.plainMiB),
    round(m.peakRssMiB),
    round(m.extraMiB),
    round(m.peakHeapMiB),
  ]);
  const extraLarge = Math.max(large[0]!.extraMiB, large[1]!.extraMiB);
  const growth = extraLarge - Math.max(small[0]!.extraMiB, small[1]!.extraMiB);
  return {
    title: "6. ALL trade bill import (a million lines)",
    body: [
      table(
        [
          "lines",
          "run",
          "seconds",
          "lines/s",
          "orders created",
          "gzip MiB",
          "plain MiB",
          "peak RSS MiB",
          "RSS over start MiB",
          "peak heap MiB",
        ],
        rows,
      ),
      "",
      `One merchant's ALL bill of one day, ${ROWS.toLocaleString("en")} SUCCESS lines (and a tenth of that as the baseline), made as WeChat writes it and gzipped; \`importTradeBillDay\` reads the downloaded gzip bytes through gunzip, the SHA1 check and the line reader into batches of 1,000 \`INSERT … ON CONFLICT\` in one transaction. "re-run" imports the same bill again (nothing new: idempotent). RSS sampled every 50 ms${(globalThis as { gc?: unknown }).gc ? ", each run after a full collection (`node --expose-gc --import tsx bench/run.ts tradebill`)" : " (without --expose-gc: the generator's garbage may still be counted)"}. Orders in the database afterwards: ${count!.n}.`,
      "",
      `- Memory bounded (RSS over start ≤ ${BOUND_MIB} MiB at ${ROWS.toLocaleString("en")} lines, and within ${BOUND_MIB / 2} MiB of the tenth): ${verdict(extraLarge <= BOUND_MIB && growth <= BOUND_MIB / 2, `${round(extraLarge)} MiB; ${round(growth)} MiB more than the tenth`)}`,
      `- Exactly once: ${verdict(large[0]!.imported === ROWS && large[1]!.imported === 0, `${large[0]!.imported} then ${large[1]!.imported}`)}`,
    ].join("\n"),
  };
}
