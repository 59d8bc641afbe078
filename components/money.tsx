import { formatFen } from "@/lib/money";

/**
 * An amount in fen, shown as `¥1,234.56` on one line (figures are tabular everywhere: app/globals.css). In a
 * `DataTable`'s right-aligned column the cell does that already: there, plain `formatFen` text is enough.
 */
export function Money({ fen, className = "" }: { fen: number; className?: string }) {
  return <span className={`whitespace-nowrap ${className}`}>{formatFen(fen)}</span>;
}
