import { sql, type Query } from "drizzle-orm";
import type { PgPreparedQuery, PreparedQueryConfig } from "drizzle-orm/pg-core";
import type { Db } from "./client";

/** How drizzle (0.45) maps a prepared query's rows, kept beside its text; statement.test.ts checks it still does. */
interface RowMapping {
  fields?: unknown;
  _isResponseInArrayMode: boolean;
  customResultMapper?: unknown;
  joinsNotNullableMap?: unknown;
}

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
    const run = db._.session.prepareQuery<PreparedQueryConfig & { execute: Result }>(
      query,
      mapping.fields as never,
      undefined,
      mapping._isResponseInArrayMode,
      mapping.customResultMapper as never,
    );
    (run as unknown as RowMapping).joinsNotNullableMap = mapping.joinsNotNullableMap;
    return run.execute(values);
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
