import { stringify } from "csv-stringify/sync";
import type { OrderFileProblem } from "../db/schema";
import { translate } from "../translate";
import { spreadsheetSafeRecord } from "../spreadsheet-safe";

export const ERROR_REPORT_COLUMNS = ["line", "out_trade_no", "error_code", "error_message"] as const;

/**
 * The refused lines of an orders file: where each is in the file, its order number and why, in the reader's language.
 * UTF-8 with a BOM for Excel; every cell made plain text for spreadsheets (the numbers come from the uploaded file).
 */
export function orderFileErrorReport(problems: readonly OrderFileProblem[], locale: string): string {
  const records = problems.map((p) =>
    spreadsheetSafeRecord([p.lineNo, p.outTradeNo, p.code, translate(p.message, locale)]),
  );
  return `\uFEFF${stringify([[...ERROR_REPORT_COLUMNS], ...records], { record_delimiter: "\r\n" })}`;
}
