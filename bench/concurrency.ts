/**
 * Benchmark 5: 200 simultaneous refund requests on one order through the merchant API (production build), twice: once
 * where the 50-refund cap binds, once where the order's total binds. Reports throughput and latency and verifies the
 * sums exactly: accepted refunds, the order's cached sums and the refunds table agree, and no rule was exceeded.
 */
import { randomBytes } from "node:crypto";
import { ensureBootstrapApiKey } from "../lib/api-keys/keys";
import { formatFen } from "../lib/money";
import { MERCHANT_ENV } from "../tests/fixtures/notifications";
import { startApp } from "./support/app";
import { createBenchMerchant } from "./support/data";
import type { BenchDatabase } from "./support/database";
import { table, type BenchSection } from "./support/report";
import { percentile, round, verdict } from "./support/stats";

const REQUESTS = 200;
const AMOUNT_FEN = 100;

interface Scenario {
  name: string;
  outTradeNo: string;
  totalFen: number;
  /** What exactly-right looks like: how many of the 200 must be accepted. */
  expectedAccepted: number;
  expectedRefusal: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: "cap binds (total ¥1,000.00, 200 × ¥1.00)",
    outTradeNo: "CONC_CAP_01",
    totalFen: 100_000,
    expectedAccepted: 50,
    expectedRefusal: "REFUND_LIMIT_REACHED",
  },
  {
    name: "total binds (total ¥30.00, 200 × ¥1.00)",
    outTradeNo: "CONC_TOTAL_01",
    totalFen: 3_000,
    expectedAccepted: 30,
    expectedRefusal: "AMOUNT_EXCEEDS_REMAINING",
  },
];

export async function runConcurrencyBench(bench: BenchDatabase): Promise<BenchSection> {
  const merchantId = await createBenchMerchant(bench.sql);
  for (const s of SCENARIOS) {
    await bench.sql`insert into orders (merchant_id, out_trade_no, transaction_id, total_fen, paid_at)
                    values (${merchantId}, ${s.outTradeNo}, ${`4200${randomBytes(12).toString("hex").slice(0, 24)}`}, ${s.totalFen}, now() - interval '1 day')`;
  }
  const apiKey = `bench_${randomBytes(24).toString("hex")}`;
  await ensureBootstrapApiKey(bench.db, apiKey);

  const app = await startApp(bench.url, { ...MERCHANT_ENV, JOBS_ENABLED: "false" });
  const rows: (string | number)[][] = [];
  const checks: string[] = [];
  try {
    // Warm the route (first requests compile and connect) on an order that is not measured.
    for (let i = 0; i < 5; i++) {
      await fetch(`${app.url}/api/v1/orders/${SCENARIOS[0]!.outTradeNo}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
    }
    for (const s of SCENARIOS) {
      const latencies: number[] = [];
      const codes = new Map<string, number>();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: REQUESTS }, async () => {
          const t0 = performance.now();
          const response = await fetch(`${app.url}/api/v1/refunds`, {
            method: "POST",
            headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
            body: JSON.stringify({ out_trade_no: s.outTradeNo, amount: AMOUNT_FEN, reason: "concurrency bench" }),
          });
          const body = (await response.json()) as { code?: string };
          latencies.push(performance.now() - t0);
          const key = response.status === 202 ? "202" : `${response.status} ${body.code ?? ""}`.trim();
          codes.set(key, (codes.get(key) ?? 0) + 1);
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const [order] = await bench.sql<
        {
          total_fen: number;
          refunded_fen: number;
          in_flight_fen: number;
          refund_count: number;
          refunds: number;
          sum: number;
        }[]
      >`
        select o.total_fen::int, o.refunded_fen::int, o.in_flight_fen::int, o.refund_count,
               (select count(*)::int from refunds r where r.order_id = o.id) as refunds,
               (select coalesce(sum(amount_fen), 0)::int from refunds r where r.order_id = o.id) as sum
        from orders o where o.out_trade_no = ${s.outTradeNo}`;
      const accepted = codes.get("202") ?? 0;
      const exact =
        accepted === s.expectedAccepted &&
        (codes.get(`422 ${s.expectedRefusal}`) ?? 0) === REQUESTS - s.expectedAccepted &&
        order!.refunds === accepted &&
        order!.sum === accepted * AMOUNT_FEN &&
        order!.in_flight_fen + order!.refunded_fen === order!.sum &&
        order!.refund_count === accepted &&
        order!.sum <= order!.total_fen &&
        order!.refund_count <= 50;
      rows.push([
        s.name,
        round(REQUESTS / seconds, 0),
        round(percentile(latencies, 50), 0),
        round(percentile(latencies, 99), 0),
        [...codes].map(([code, n]) => `${n} × ${code}`).join(", "),
        `${order!.refunds} refunds, ${formatFen(order!.sum)} reserved of ${formatFen(order!.total_fen)}`,
        exact ? "✅ exact" : "❌ wrong",
      ]);
      checks.push(
        `- ${s.name}: ${verdict(exact, `${s.expectedAccepted} accepted, the rest ${s.expectedRefusal}, sums equal`)}`,
      );
    }
  } finally {
    await app.stop();
  }
  return {
    title: "5. 200 simultaneous refund requests on one order (merchant API)",
    body: [
      table(["scenario", "requests/s", "p50 ms", "p99 ms", "answers", "order afterwards", "sums"], rows),
      "",
      `${REQUESTS} requests of ¥1.00 sent at once (one connection each) to \`POST /api/v1/refunds\` with one API key; the order row lock serialises them.`,
      "",
      ...checks,
    ].join("\n"),
  };
}
