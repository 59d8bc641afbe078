import { and, asc, desc, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgSelect } from "drizzle-orm/pg-core";

/**
 * Keyset cursors for lists ordered by (timestamp desc, id desc): stable at a million rows, unlike OFFSET.
 * A cursor is `<epoch-microseconds>.<id>`, opaque to the page but readable in a shared URL.
 *
 * Microseconds, not milliseconds: columns filled by `now()` keep microseconds, and a cursor cut to a JS Date's
 * millisecond would skip every row stamped later within the same millisecond as the page's last row.
 * Epoch microseconds stay below 2^53 (exact in a JS number) until the year 2255.
 */
export interface Cursor {
  micros: number;
  id: number;
}

export function encodeCursor(micros: number, id: number): string {
  return `${micros}.${id}`;
}

export function decodeCursor(value: string | undefined | null): Cursor | null {
  if (!value) return null;
  const match = /^(\d{1,16})\.(\d{1,18})$/.exec(value);
  if (!match) return null;
  const micros = Number(match[1]);
  const id = Number(match[2]);
  if (!Number.isSafeInteger(micros) || !Number.isSafeInteger(id)) return null;
  return { micros, id };
}

/** The select expression a list adds as `cursorMicros`; `extract` returns numeric, so nothing is rounded. */
export function epochMicros(column: AnyPgColumn): SQL<number> {
  return sql`(extract(epoch from ${column}) * 1000000)::bigint`.mapWith(Number);
}

/** `2024-01-01T00:00:00.123456Z`: an exact timestamptz literal for a microsecond count. */
function microsToIso(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = String(micros - ms * 1000).padStart(3, "0");
  return new Date(ms).toISOString().replace("Z", `${rest}Z`);
}

/** Rows after the cursor, as a row comparison the (timestamp desc, id desc) index answers directly. */
export function beforeCursor(at: AnyPgColumn, id: AnyPgColumn, cursor: Cursor): SQL {
  return sql`(${at}, ${id}) < (${microsToIso(cursor.micros)}::timestamptz, ${cursor.id})`;
}

/** Rows after the cursor in a list ordered oldest first (timestamp asc, id asc): the approvals queue. */
export function afterCursor(at: AnyPgColumn, id: AnyPgColumn, cursor: Cursor): SQL {
  return sql`(${at}, ${id}) > (${microsToIso(cursor.micros)}::timestamptz, ${cursor.id})`;
}

/** Cuts the `pageSize + 1` rows a list fetched to one page, and the cursor of the next page if there is one. */
export function toPage<Row extends { id: number; cursorMicros: number }>(
  rows: Row[],
  pageSize: number,
): { rows: Omit<Row, "cursorMicros">[]; nextCursor: string | null } {
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    rows: page.map(({ cursorMicros: _, ...row }) => row),
    nextCursor: rows.length > pageSize && last ? encodeCursor(last.cursorMicros, last.id) : null,
  };
}

/** A keyset list's query: its rows have an `id` and the `cursorColumn`. */
type PageQuery = PgSelect & { _: { result: { id: number; cursorMicros: number }[] } };

/** What a keyset list is ordered by: `at` then `id`, newest first unless `oldestFirst` (the approvals queue). */
export interface ListOrder {
  at: AnyPgColumn;
  id: AnyPgColumn;
  oldestFirst?: boolean;
}

/** The column every keyset list selects beside its own, to build the next page's cursor from. */
export function cursorColumn(order: ListOrder): { cursorMicros: SQL<number> } {
  return { cursorMicros: epochMicros(order.at) };
}

/**
 * One page of a list: its `conditions` (the merchant or scope condition among them), from the `after` cursor on, in
 * the list's order. One place for the cursor, order and `pageSize + 1` fetch, so no list can page differently from
 * its cursor: a cursor compared one way and rows ordered the other would skip or repeat rows at every page break.
 * `query` is `db.select({ ...cursorColumn(order), … }).from(…)…$dynamic()`.
 */
export async function keysetPage<Query extends PageQuery>(
  query: Query,
  order: ListOrder,
  conditions: (SQL | undefined)[],
  after: string | undefined,
  pageSize: number,
) {
  const cursor = decodeCursor(after);
  const { at, id, oldestFirst } = order;
  const from = cursor ? (oldestFirst ? afterCursor : beforeCursor)(at, id, cursor) : undefined;
  // Inside a generic, drizzle types the awaited rows loosely; the constraint on Query holds their real shape.
  const rows = (await query
    .where(and(...conditions, from))
    .orderBy(...(oldestFirst ? [asc(at), asc(id)] : [desc(at), desc(id)]))
    .limit(pageSize + 1)) as Query["_"]["result"];
  return toPage<Query["_"]["result"][number]>(rows, pageSize);
}
