/**
 * Monthly partitions, shown on scratch copies of the generated logs: `<table>_p` PARTITION BY RANGE on the log's
 * time, one partition per month, the rows copied in and the table's own indexes built on the parent. Then the real
 * list queries, pointed at the copy, EXPLAINed to see which partitions they touch, and one month removed both ways:
 * DELETE from the plain table vs DETACH + DROP of the partition.
 */
import type postgres from "postgres";
import { listAuditEntries, auditFiltersSchema } from "../lib/db/queries/audit";
import { listNotifications, notificationFiltersSchema } from "../lib/db/queries/notifications";
import { listRefundEvents } from "../lib/db/queries/refunds";
import { explainQuery, type CapturingDb, type Plan } from "./support/plans";
import { table } from "./support/report";
import { round } from "./support/stats";

interface Log {
  table: "notifications" | "audit_log" | "refund_events";
  key: "received_at" | "at";
}
const LOGS: Log[] = [
  { table: "notifications", key: "received_at" },
  { table: "refund_events", key: "at" },
  { table: "audit_log", key: "at" },
];

const partitionName = (log: Log, month: string) => `${log.table}_p_${month.replace("-", "")}`;

/** Creates `<table>_p` with monthly partitions, copies the rows, builds the table's indexes: seconds, and any index refused. */
async function partitionCopy(
  sql: postgres.Sql,
  log: Log,
): Promise<{ seconds: number; months: string[]; refused: string[] }> {
  const started = performance.now();
  const parent = `${log.table}_p`;
  await sql.unsafe(`create table ${parent} (like ${log.table} including defaults) partition by range (${log.key})`);
  const months = (
    await sql.unsafe<{ month: string }[]>(`
      select to_char(m, 'YYYY-MM') as month
      from generate_series((select date_trunc('month', min(${log.key})) from ${log.table}),
                           (select date_trunc('month', max(${log.key})) from ${log.table}), interval '1 month') m`)
  ).map((r) => r.month);
  for (const month of months) {
    await sql.unsafe(
      `create table ${partitionName(log, month)} partition of ${parent}
       for values from ('${month}-01 00:00:00+00') to (('${month}-01 00:00:00+00'::timestamptz + interval '1 month'))`,
    );
  }
  await sql.unsafe(`insert into ${parent} select * from ${log.table}`);
  // The same indexes as the plain table (the primary key included, as a plain index on (id, key) is all it can be).
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' and tablename = ${log.table}`;
  const refused: string[] = [];
  for (const index of indexes) {
    const def = index.def
      .replace(` ON public.${log.table} `, ` ON public.${parent} `)
      .replace(`INDEX ${index.name} `, `INDEX ${index.name}_p `);
    try {
      await sql.unsafe(def);
    } catch (error) {
      refused.push(`\`${index.name}\`: ${(error as Error).message}`);
    }
  }
  await sql.unsafe(`create index ${log.table}_p_id on ${parent} (id)`);
  await sql.unsafe(`analyze ${parent}`);
  return { seconds: (performance.now() - started) / 1000, months, refused };
}

/** How many of the log's partitions a plan names, how many the executor pruned, and how many it never ran. */
function partitionsTouched(plan: Plan, log: Log): string {
  const named = new Set(plan.text.match(new RegExp(`${log.table}_p_\\d{6}`, "g")) ?? []).size;
  const removed = [...plan.text.matchAll(/Subplans Removed: (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  const neverRun = new Set(
    plan.text
      .split("\n")
      .filter((line) => line.includes("(never executed)"))
      .flatMap((line) => line.match(new RegExp(`${log.table}_p_\\d{6}`, "g")) ?? []),
  ).size;
  return `${named} in plan${removed ? `, ${removed} removed at run time` : ""}, ${named - neverRun} read`;
}

export async function partitionSection(
  sql: postgres.Sql,
  merchantId: string,
  last30Days: { from: string; to: string },
): Promise<string> {
  const copies = new Map<string, Awaited<ReturnType<typeof partitionCopy>>>();
  for (const log of LOGS) copies.set(log.table, await partitionCopy(sql, log));

  const [someRefunds] = await sql<{ ids: number[] }[]>`
    select array_agg(id) as ids from (select id from refunds where merchant_id = ${merchantId} order by created_at desc limit 50) r`;
  const scope = { merchantId, withUnattributed: false };
  const cases: { name: string; log: Log; run: (db: CapturingDb) => Promise<unknown> }[] = [
    {
      name: "callback log, newest page",
      log: LOGS[0]!,
      run: (db) => listNotifications(db, scope, notificationFiltersSchema.parse({})),
    },
    {
      name: "callback log, last 30 days",
      log: LOGS[0]!,
      run: (db) => listNotifications(db, scope, notificationFiltersSchema.parse(last30Days)),
    },
    {
      name: "audit log, newest page",
      log: LOGS[2]!,
      run: (db) => listAuditEntries(db, scope, auditFiltersSchema.parse({})),
    },
    {
      name: "audit log, last 30 days",
      log: LOGS[2]!,
      run: (db) => listAuditEntries(db, scope, auditFiltersSchema.parse(last30Days)),
    },
    {
      name: "timelines of the newest 50 refunds (by refund id)",
      log: LOGS[1]!,
      run: (db) => listRefundEvents(db, someRefunds!.ids),
    },
  ];
  const planRows: (string | number)[][] = [];
  for (const c of cases) {
    const plain = await explainQuery(sql, c.run);
    const onCopy = new RegExp(`"${c.log.table}"`, "g");
    const partitioned = await explainQuery(sql, c.run, (q) => q.replace(onCopy, `"${c.log.table}_p"`));
    planRows.push([
      c.name,
      round(plain.executionMs, 2),
      plain.buffers,
      round(partitioned.executionMs, 2),
      partitioned.buffers,
      partitionsTouched(partitioned, c.log),
    ]);
  }

  // One month's callbacks removed both ways: the oldest whole month (the first is partly filled).
  const month = copies.get("notifications")!.months[1]!;
  const bounds = `received_at >= '${month}-01 00:00:00+00' and received_at < '${month}-01 00:00:00+00'::timestamptz + interval '1 month'`;
  const deleteStarted = performance.now();
  const deleted = await sql.unsafe(`delete from notifications where ${bounds}`);
  const deleteMs = performance.now() - deleteStarted;
  const dropStarted = performance.now();
  const partition = partitionName(LOGS[0]!, month);
  await sql.unsafe(`alter table notifications_p detach partition ${partition}`);
  await sql.unsafe(`drop table ${partition}`);
  const dropMs = performance.now() - dropStarted;

  const copyRows = LOGS.map((log) => {
    const copy = copies.get(log.table)!;
    return [
      `\`${log.table}\` by \`${log.key}\``,
      copy.months.length,
      round(copy.seconds, 0),
      copy.refused.join("; ") || "—",
    ];
  });
  return [
    table(["scratch copy", "monthly partitions", "copy + index s", "index the partitioned table refused"], copyRows),
    "",
    table(
      ["list query (big merchant)", "plain ms", "plain buffers", "partitioned ms", "partitioned buffers", "partitions"],
      planRows,
    ),
    "",
    table(
      ["removing one month of callbacks", "rows", "ms"],
      [
        [`DELETE from \`notifications\` (${month})`, deleted.count, round(deleteMs, 0)],
        [`DETACH + DROP of \`${partition}\``, deleted.count, round(dropMs, 0)],
      ],
    ),
  ].join("\n");
}
