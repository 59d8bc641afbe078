/**
 * Benchmark `scale` (opt-in: `npm run bench -- scale`): issue #18's measured SQL run. 10,000,000 orders
 * (BENCH_SCALE_ORDERS) across 1,000 merchants (BENCH_SCALE_MERCHANTS) with a skewed share, refunds on 30 % and the
 * callbacks, timeline events and audit entries they leave; then EXPLAIN (ANALYZE, BUFFERS) of the real list queries
 * for the biggest merchant and a small one, every table's and index's size, and monthly partitions of the three
 * logs on scratch copies (bench/scale-partitions.ts). No app server: this is the database's share of a page.
 */
import { listAuditEntries, auditFiltersSchema } from "../lib/db/queries/audit";
import { encodeCursor } from "../lib/db/queries/keyset";
import { listNotifications, notificationFiltersSchema } from "../lib/db/queries/notifications";
import { listOrders, orderFiltersSchema } from "../lib/db/queries/orders";
import { listRefunds, refundFiltersSchema } from "../lib/db/queries/refunds";
import { partitionSection } from "./scale-partitions";
import type { BenchDatabase } from "./support/database";
import { explainQuery, type CapturingDb } from "./support/plans";
import { table, type BenchSection } from "./support/report";
import { createScaleShop } from "./support/scale-data";
import { round } from "./support/stats";

const ORDERS = Number(process.env.BENCH_SCALE_ORDERS ?? 10_000_000);
const MERCHANTS = Number(process.env.BENCH_SCALE_MERCHANTS ?? 1_000);
const PAGE_SIZE = 50;
const DEEP_PAGE = 500;
const TABLES = ["orders", "refunds", "notifications", "refund_events", "audit_log"];

type Sql = BenchDatabase["sql"];

/** The cursor of a deep page of this merchant's orders (page 500, or the last full page of a small merchant). */
async function deepCursor(sql: Sql, merchantId: string): Promise<{ cursor: string; page: number }> {
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from orders where merchant_id = ${merchantId}`;
  const page = Math.max(2, Math.min(DEEP_PAGE, Math.floor(count!.n / PAGE_SIZE) - 1));
  const [row] = await sql<{ micros: string; id: number }[]>`
    select (extract(epoch from paid_at) * 1000000)::bigint as micros, id from orders where merchant_id = ${merchantId}
    order by paid_at desc, id desc offset ${(page - 1) * PAGE_SIZE - 1} limit 1`;
  return { cursor: encodeCursor(Number(row!.micros), row!.id), page };
}

async function listCases(sql: Sql, merchantId: string, last30Days: { from: string; to: string }) {
  const deep = await deepCursor(sql, merchantId);
  const [sample] = await sql<{ out_trade_no: string }[]>`
    select out_trade_no from orders where merchant_id = ${merchantId} order by paid_at desc offset 1000 limit 1`;
  const scope = { merchantId, withUnattributed: false };
  const cases: [string, (db: CapturingDb) => Promise<unknown>][] = [
    ["orders, first page", (db) => listOrders(db, merchantId, orderFiltersSchema.parse({}))],
    [
      `orders, page ${deep.page} (keyset)`,
      (db) => listOrders(db, merchantId, orderFiltersSchema.parse({ after: deep.cursor })),
    ],
    [
      "orders, search out_trade_no",
      (db) => listOrders(db, merchantId, orderFiltersSchema.parse({ q: sample?.out_trade_no ?? "ST0000000001" })),
    ],
    ["refunds, first page", (db) => listRefunds(db, merchantId, refundFiltersSchema.parse({}))],
    [
      "refunds, SUCCESS in the last 30 days",
      (db) => listRefunds(db, merchantId, refundFiltersSchema.parse({ status: "SUCCESS", ...last30Days })),
    ],
    ["callback log, first page", (db) => listNotifications(db, scope, notificationFiltersSchema.parse({}))],
    ["audit log, first page", (db) => listAuditEntries(db, scope, auditFiltersSchema.parse({}))],
  ];
  return cases;
}

/** Heap, index and total size per table, and every index with its size and (for b-trees) its depth. */
async function sizes(sql: Sql): Promise<string> {
  const tables = await sql<{ name: string; rows: string; heap: string; indexes: string; total: string }[]>`
    select c.relname as name, to_char(c.reltuples, 'FM999,999,999,999') as rows,
           pg_size_pretty(pg_table_size(c.oid)) as heap, pg_size_pretty(pg_indexes_size(c.oid)) as indexes,
           pg_size_pretty(pg_total_relation_size(c.oid)) as total
    from pg_class c where c.relname = any(${TABLES}) and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc`;
  await sql`create extension if not exists pageinspect`;
  const indexes = await sql<{ table: string; name: string; size: string; levels: string }[]>`
    select i.tablename as table, i.indexname as name, pg_size_pretty(pg_relation_size(c.oid)) as size,
           case when am.amname = 'btree' then ((bt_metap(i.indexname)).level + 1)::text else am.amname end as levels
    from pg_indexes i join pg_class c on c.relname = i.indexname join pg_am am on am.oid = c.relam
    where i.schemaname = 'public' and i.tablename = any(${TABLES}) order by i.tablename, pg_relation_size(c.oid) desc`;
  return [
    table(
      ["table", "rows", "heap (with TOAST)", "indexes", "total"],
      tables.map((t) => [`\`${t.name}\``, t.rows, t.heap, t.indexes, t.total]),
    ),
    "",
    table(
      ["index", "size", "b-tree levels"],
      indexes.map((i) => [`\`${i.name}\``, i.size, i.levels]),
    ),
  ].join("\n");
}

export async function runScaleBench(bench: BenchDatabase): Promise<BenchSection> {
  const { sql } = bench;
  console.log(`  generating ${ORDERS.toLocaleString("en")} orders for ${MERCHANTS.toLocaleString("en")} merchants…`);
  const shop = await createScaleShop(sql, ORDERS, MERCHANTS);
  const [range] = await sql<{ from: string; to: string }[]>`
    select to_char((now() at time zone 'Asia/Shanghai') - interval '30 days', 'YYYY-MM-DD') as from,
           to_char(now() at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as to`;
  const merchants = await sql<{ id: string; orders: number; refunds: number }[]>`
    select m.id, (select count(*)::int from orders o where o.merchant_id = m.id) as orders,
           (select count(*)::int from refunds r where r.merchant_id = m.id) as refunds
    from merchants m where m.id in (${shop.bigMerchantId}, ${shop.smallMerchantId})`;

  const planRows: (string | number)[][] = [];
  for (const [label, merchantId] of [
    ["big", shop.bigMerchantId],
    ["small", shop.smallMerchantId],
  ] as const) {
    const counts = merchants.find((m) => m.id === merchantId)!;
    for (const [name, run] of await listCases(sql, merchantId, range!)) {
      // The first run reads from disk what the second finds cached: both are shown.
      const cold = await explainQuery(sql, run);
      const warm = await explainQuery(sql, run);
      planRows.push([
        `${label} (${counts.orders.toLocaleString("en")} orders)`,
        name,
        round(cold.executionMs, 2),
        round(warm.executionMs, 2),
        warm.buffers,
        warm.uses,
      ]);
    }
  }
  console.log("  list plans done; sizes and partitions…");
  const sizeTables = await sizes(sql);
  const partitions = await partitionSection(sql, shop.bigMerchantId, range!);

  return {
    title: `Scale: ${ORDERS.toLocaleString("en")} orders, ${MERCHANTS.toLocaleString("en")} merchants (SQL only)`,
    body: [
      table(
        ["generation step", "s"],
        shop.steps.map(([step, seconds]) => [step, round(seconds, 0)]),
      ),
      "",
      table(["merchant", "list query", "first run ms", "second run ms", "buffers (second run)", "plan uses"], planRows),
      "",
      `EXPLAIN (ANALYZE, BUFFERS) of each list's own statement (captured from drizzle), run twice; the big merchant is the one with the largest share (a cubed hash: ~10 % of all orders), the small one the last. "Last 30 days" is ${range!.from} to ${range!.to} (Beijing days).`,
      "",
      sizeTables,
      "",
      partitions,
    ].join("\n"),
  };
}
