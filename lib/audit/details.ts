import { formatFen } from "../money";

/** One field an audited change touched: its value before and after (undefined when that side did not record it). */
export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * An audit entry's details as a reader wants them: the `before`/`after` pair (written by `changedFields` and the
 * services) as a list of changed fields, and every other detail beside it. Fields equal on both sides are left out.
 */
export function splitAuditDetails(details: Record<string, unknown>): {
  changes: AuditChange[];
  other: [string, unknown][];
} {
  const { before, after, ...rest } = details;
  const other = Object.entries(rest);
  // A before/after that is not an object (an older entry, a plain value) is shown as it is rather than dropped.
  if ((before !== undefined && !isRecord(before)) || (after !== undefined && !isRecord(after))) {
    return { changes: [{ field: "", before, after }], other };
  }
  const b = before ?? {};
  const a = after ?? {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const changes = fields
    .filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]))
    .map((f) => ({ field: f, before: b[f], after: a[f] }));
  return { changes, other };
}

/** A detail value as text: amounts (`…Fen` fields) in yuan, objects as JSON; undefined and null as a dash. */
export function formatAuditValue(field: string, value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (/fen$/i.test(field) && typeof value === "number" && Number.isSafeInteger(value)) return formatFen(value);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
