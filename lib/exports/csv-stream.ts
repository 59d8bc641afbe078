import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { stringify } from "csv-stringify/sync";
import type postgres from "postgres";
import { transactionSettingsOf, type Database } from "../db/client";
import { applySettings } from "../db/prepared-client";
import { log } from "../log";
import { spreadsheetSafeRecord } from "../spreadsheet-safe";

/** Rows fetched per round trip: big enough to be quick, small enough that one batch is a few hundred kilobytes. */
export const EXPORT_BATCH_ROWS = 1000;

/** CRLF as RFC 4180 and Excel expect; every field quoted only when it needs to be. */
const CSV_OPTIONS = { record_delimiter: "windows" } as const;

/** A query a CSV export streams: anything drizzle can render to SQL and parameters. */
export interface RenderableQuery {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * The rows of a query, a batch at a time, through a server-side cursor: PostgreSQL keeps the result and hands over
 * `batchRows` rows per request, so an export of a million rows never holds more than a batch. The query runs as one
 * statement in a read-only transaction of its own, so the whole file is one consistent snapshot, and behind a
 * transaction-mode pooler the cursor keeps its server connection (and gets the pool's settings, e.g. the statement
 * timeout) for as long as it is open. Its rows are as postgres.js reads them (bigint as text), which is why export
 * queries select text and fen explicitly.
 */
export async function* cursorBatches(
  db: Database,
  query: RenderableQuery,
  batchRows = EXPORT_BATCH_ROWS,
): AsyncIterable<Record<string, unknown>[]> {
  const client = (db as Database & { $client?: postgres.Sql }).$client;
  if (!client) throw new Error("a CSV export needs the postgres.js client behind the database");
  const { sql: text, params } = query.toSQL();
  const connection = await client.reserve();
  let open = false;
  try {
    await connection.unsafe("begin transaction read only");
    open = true;
    const settings = transactionSettingsOf(db);
    if (settings) await applySettings(connection, settings);
    yield* connection.unsafe(text, params as postgres.ParameterOrJSON<never>[]).cursor(batchRows);
    await connection.unsafe("commit");
    open = false;
  } finally {
    // A failed or abandoned export ends its transaction before the connection serves anyone else.
    if (open) await connection.unsafe("rollback").catch(() => {});
    connection.release();
  }
}

/** A Beijing-time column as `YYYY-MM-DD HH:mm:ss` text, formatted by PostgreSQL; empty for no time. */
export function beijingText(column: AnyPgColumn): SQL<string> {
  return sql<string>`coalesce(to_char(${column} at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), '')`;
}

/** A nullable text column as text, empty for null. */
export function orEmpty(column: AnyPgColumn): SQL<string> {
  return sql<string>`coalesce(${column}, '')`;
}

/**
 * A CSV file as a web stream: UTF-8 with a byte-order mark (so Excel reads Chinese correctly), the header, then one
 * batch of records per pull, every cell made safe for spreadsheets (`lib/spreadsheet-safe.ts`). Pulling is driven by the reader, so a slow download slows the cursor instead of filling
 * memory; a cancelled download closes the cursor and frees its connection.
 */
export function csvStream<Row>(
  header: string[],
  batches: AsyncIterable<Row[]>,
  toRecord: (row: Row) => string[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let iterator: AsyncIterator<Row[]> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(stringify([header], { ...CSV_OPTIONS, bom: true })));
      },
      async pull(controller) {
        iterator ??= batches[Symbol.asyncIterator]();
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else
            controller.enqueue(
              encoder.encode(
                stringify(
                  next.value.map((row) => spreadsheetSafeRecord(toRecord(row))),
                  CSV_OPTIONS,
                ),
              ),
            );
        } catch (error) {
          log.error({ err: error }, "CSV export failed while streaming");
          controller.error(error);
        }
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    // One batch waits in the queue while the previous one is being sent.
    { highWaterMark: 1 },
  );
}
