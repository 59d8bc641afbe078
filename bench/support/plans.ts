import { drizzle } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import * as schema from "../../lib/db/schema";

/** A drizzle client that runs queries as the app does and keeps the SQL it sent, to EXPLAIN the real thing. */
export function capturingDb(sql: postgres.Sql) {
  const captured: { query: string; params: unknown[] }[] = [];
  const db = drizzle(sql, { schema, logger: { logQuery: (query, params) => captured.push({ query, params }) } });
  return { db, captured };
}

export type CapturingDb = ReturnType<typeof capturingDb>["db"];

export interface Plan {
  text: string;
  /** The indexes scanned, then any sequential scans: "`orders_paid_at_idx`, seq scan merchants". */
  uses: string;
  executionMs: number;
  /** The root node's buffers: "shared hit=12 read=3". */
  buffers: string;
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement with its parameters, and what the plan used. */
export async function explainStatement(sql: postgres.Sql, query: string, params: readonly unknown[]): Promise<Plan> {
  const rows = await sql.unsafe(`explain (analyze, buffers, format text) ${query}`, params as never[]);
  const text = rows.map((r) => String(Object.values(r)[0])).join("\n");
  const indexes = [
    ...new Set(
      [...text.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1]),
    ),
  ];
  const seqScans = [...new Set([...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]))];
  const uses = [...indexes.map((i) => `\`${i}\``), ...seqScans.map((t) => `seq scan ${t}`)].join(", ");
  return {
    text,
    uses: uses || "—",
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN),
    buffers: /Buffers: ([^\n]+)/.exec(text)?.[1]?.trim() ?? "—",
  };
}

/** Runs a list query through a capturing client and explains the last statement it sent. */
export async function explainQuery(
  sql: postgres.Sql,
  run: (db: CapturingDb) => Promise<unknown>,
  rewrite: (query: string) => string = (q) => q,
): Promise<Plan> {
  const { db, captured } = capturingDb(sql);
  await run(db);
  const last = captured.at(-1)!;
  return explainStatement(sql, rewrite(last.query), last.params);
}
