import { OUT_REFUND_NO_PATTERN } from "./out-refund-no";

/**
 * A refund number from a URL segment. out_refund_no may hold `|`, `*` and `@`, which links percent-encode; a
 * malformed number cannot exist, so it is null (a 404 for the caller).
 */
export function parseOutRefundNoParam(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return OUT_REFUND_NO_PATTERN.test(decoded) ? decoded : null;
}
