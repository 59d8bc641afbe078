import type { ReactNode } from "react";

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  align?: "left" | "right";
  className?: string;
}

/**
 * A `className` prop only when there is a class: React's flight data for the browser spells out every prop passed,
 * `undefined` ones too, on every cell of every row.
 */
function classProp(className: string | undefined): { className?: string } {
  return className ? { className } : {};
}

/** A field `presentFields` may leave out: one that can be `null` or `false`. */
type Omissible<T, K extends keyof T> = null extends T[K] ? K : false extends T[K] ? K : never;

/** A row's data with its empty fields left out: a nullable or boolean field becomes optional, and never empty. */
export type PresentFields<T> = { [K in keyof T as K extends Omissible<T, K> ? never : K]: T[K] } & {
  [K in keyof T as Omissible<T, K>]?: Exclude<T[K], null | false>;
};

/**
 * A row for a client table without its `null` and `false` fields: React's flight data spells out every field of every
 * row, and a list of refunds carried some 200 `null`s per page (no requester, no error, nothing to flag), the callback
 * log a hundred `false`s (not abnormal, nothing to re-apply).
 */
export function presentFields<T extends object>(row: T): PresentFields<T> {
  return Object.fromEntries(
    Object.entries(row).filter(([, value]) => value !== null && value !== false),
  ) as PresentFields<T>;
}

/** A cell's classes: `num` for right-aligned figures, then the column's own; none at all for most cells. */
function cellClass<Row>(column: Column<Row>): string | undefined {
  return [column.align === "right" ? "num" : "", column.className ?? ""].filter(Boolean).join(" ") || undefined;
}

/**
 * A dense, server-rendered table; big lists page by keyset, so no client-side table state is needed. Cell, row-hover
 * and right-aligned number styles come from `.data-table` in app/globals.css, not from classes on every cell.
 */
export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  rowClassName,
  empty,
}: {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  /** Replaces a row's default hover style, e.g. to flag rows that need someone's attention. */
  rowClassName?: (row: Row) => string | undefined;
  empty: ReactNode;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="data-table min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50">
          <tr>
            {columns.map((c) => (
              <th
                key={c.header}
                scope="col"
                className={`px-3 py-2 text-xs font-semibold tracking-wide whitespace-nowrap text-slate-500 uppercase ${c.align === "right" ? "text-right" : "text-left"}`}
              >
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-10 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} {...classProp(rowClassName?.(row))}>
                {columns.map((c, i) => (
                  <td key={i} {...classProp(cellClass(c))}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
