import { formatFen } from "@/lib/money";

/** An amount in fen, shown as `¥1,234.56` in tabular figures. */
export function Money({ fen, className = "" }: { fen: number; className?: string }) {
  return <span className={`tabular-nums whitespace-nowrap ${className}`}>{formatFen(fen)}</span>;
}
