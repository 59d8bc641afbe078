import * as drizzleOrm from "drizzle-orm";
import { fillPlaceholders, sql, type Query, type SQL } from "drizzle-orm";
import type postgres from "postgres";
import type { PgPreparedQuery, PreparedQueryConfig } from "drizzle-orm/pg-core";
import type { Db } from "./client";

/** How drizzle (0.45) maps a prepared query's rows, kept beside its text; statement.test.ts checks it still does. */
interface RowMapping {
  fields?: unknown;
  customResultMapper?: unknown;
  joinsNotNullableMap?: unknown;
}

/**
 * drizzle's own row mapper: exported at run time, left out of its types as internal. statement.test.ts checks that
 * rows still map exactly as drizzle's own queries map them.
 */
const mapResultRow = (
  drizzleOrm as unknown as { mapResultRow: (fields: unknown, row: unknown[], joinsNotNullableMap: unknown) => unknown }
).mapResultRow;

type Prepared<Result> = PgPreparedQuery<PreparedQueryConfig & { execute: Result }>;

/**
 * A statement whose SQL drizzle builds once per process; every run only binds its values (`sql.placeholder`). For
 * the hot paths: building the text of every query anew was a fifth of the bulk worker's CPU and a tenth of a
 * callback's (docs/benchmarks.md, ADR 024). drizzle's own prepared queries belong to the client they were prepared
 * on and cannot run in another transaction (drizzle-team/drizzle-orm#613), so this keeps what drizzle built — the
 * text, the parameters with their placeholders, how to map the rows — and hands it to the session of whichever
 * transaction or pool runs it.
 *
 * `build` must not depend on anything but the placeholders: it runs once, with the first caller's `db`.
 */
export function statement<Values extends Record<string, unknown>, Result>(
  build: (db: Db) => { prepare(name: string): Prepared<Result> },
): (db: Db, values: Values) => Promise<Result> {
  let built: { query: Query; mapping: RowMapping } | undefined;
  return (db, values) => {
    if (!built) {
      const prepared = build(db).prepare("statement");
      built = { query: prepared.getQuery(), mapping: prepared as unknown as RowMapping };
    }
    const { query, mapping } = built;
    // Sent to the session's postgres.js client directly, as drizzle's prepared query would send it (the client
    // decides whether to prepare: lib/db/prepared-client.ts). The query is handed to the connection now, in the
    // order of the calls, rather than a few promise turns later through drizzle's tracing and cache wrappers, which
    // cost a tenth of a callback's statements' CPU and would let a later call overtake an earlier one.
    const pending = clientOf(db).unsafe(
      query.sql,
      fillPlaceholders(query.params, values) as postgres.ParameterOrJSON<never>[],
    );
    const { fields, customResultMapper, joinsNotNullableMap } = mapping;
    if (!fields && !customResultMapper) return pending.execute() as unknown as Promise<Result>;
    return pending
      .values()
      .execute()
      .then((rows) =>
        customResultMapper
          ? (customResultMapper as (rows: unknown[][]) => Result)(rows)
          : (rows.map((row) => mapResultRow(fields, row as unknown[], joinsNotNullableMap)) as Result),
      );
  };
}

/** The postgres.js client behind a drizzle database or transaction (drizzle-orm 0.45's session keeps it). */
function clientOf(db: Db): postgres.Sql {
  return (db._.session as unknown as { client: postgres.Sql }).client;
}

/**
 * A statement written as SQL (drizzle's `sql` with `sql.placeholder`s), for what drizzle's query builder cannot say,
 * e.g. a data-modifying WITH. Built once like `statement`; placeholders have no column to encode them, so values go
 * to postgres.js as given (timestamps as ISO strings and JSON as text, cast in the SQL). Rows come back as
 * postgres.js returns them: column names as written.
 */
export function sqlStatement<Values extends Record<string, unknown>, Row>(
  build: () => SQL,
): (db: Db, values: Values) => Promise<Row[]> {
  let query: Query | undefined;
  return (db, values) => {
    query ??= (db as unknown as { dialect: { sqlToQuery(sql: SQL): Query } }).dialect.sqlToQuery(build());
    const params = fillPlaceholders(query.params, values) as postgres.ParameterOrJSON<never>[];
    return clientOf(db).unsafe(query.sql, params).execute() as unknown as Promise<Row[]>;
  };
}

/**
 * Statements keyed by the shape of what varies (e.g. which columns an update sets, and which of them are null): one
 * `statement` per shape, built from `arg` the first time that shape is asked for. Shapes must be few (a handful of
 * column sets), never one per value.
 */
export function statementsByShape<Arg, Result>(
  build: (db: Db, arg: Arg) => { prepare(name: string): Prepared<Result> },
): (db: Db, shape: string, arg: Arg, values: Record<string, unknown>) => Promise<Result> {
  const byShape = new Map<string, (db: Db, values: Record<string, unknown>) => Promise<Result>>();
  return (db, shape, arg, values) => {
    let run = byShape.get(shape);
    if (!run) {
      run = statement<Record<string, unknown>, Result>((first) => build(first, arg));
      byShape.set(shape, run);
    }
    return run(db, values);
  };
}

/**
 * Values as placeholders for an insert's values or an update's `set`: each non-null value becomes a placeholder of
 * its own name, each null stays a literal null (drizzle encodes a placeholder's value by its column, and would turn
 * a null timestamp into an error and a null JSON into JSON's `null`). `shape` names the columns and which are null:
 * the key for `statementsByShape`. Undefined values are left out, as drizzle leaves them out.
 */
export function asPlaceholders<Row extends Record<string, unknown>>(
  values: Row,
): { shape: string; columns: { [K in keyof Row]: unknown }; bound: Record<string, unknown> } {
  const columns: Record<string, unknown> = {};
  const bound: Record<string, unknown> = {};
  const shape: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (value === null) {
      columns[name] = null;
      shape.push(`${name}=null`);
    } else {
      columns[name] = sql.placeholder(name);
      bound[name] = value;
      shape.push(name);
    }
  }
  return { shape: shape.join(","), columns: columns as { [K in keyof Row]: unknown }, bound };
}

/**
 * Placeholders named after the columns they fill, for the values of an insert or the `set` of an update that are never
 * null (see `asPlaceholders` for those that may be).
 */
export function placeholders(...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, sql.placeholder(name)]));
}
