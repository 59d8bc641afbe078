import { stringify } from "csv-stringify/sync";
import { translate } from "../translate";
import { fenToYuan } from "../money";
import { spreadsheetSafeRecord } from "../spreadsheet-safe";
import type { BatchRowView } from "./queries";

export const RESULTS_COLUMNS = [
  "line",
  "out_trade_no",
  "amount",
  "reason",
  "row_status",
  "out_refund_no",
  "refund_status",
  "error_code",
  "error_message",
] as const;

/**
 * The results of a batch, one line per line of the uploaded file: what became of it, and the refund's state now.
 * UTF-8 with a BOM so that Excel opens Chinese text correctly; amounts in yuan with two decimals. The first three
 * columns are the upload format's, so the failed lines can be corrected and uploaded again. Cells that a spreadsheet
 * would run as formulas are made plain text, like every CSV the console writes.
 */
export function resultsCsv(rows: readonly BatchRowView[], locale: string): string {
  const records = rows.map(({ row, refundStatus, refundErrorCode, refundErrorMessage }) => {
    const errorCode = row.errorCode ?? refundErrorCode ?? "";
    const errorMessage = row.errorMessage ? translate(row.errorMessage, locale) : (refundErrorMessage ?? "");
    return spreadsheetSafeRecord([
      row.lineNo,
      row.outTradeNo,
      row.amountFen === null ? row.amountText : fenToYuan(row.amountFen),
      row.reason,
      row.status,
      row.status === "REQUESTED" ? (row.outRefundNo ?? "") : "",
      refundStatus ?? "",
      errorCode,
      errorMessage,
    ]);
  });
  return `\uFEFF${stringify([[...RESULTS_COLUMNS], ...records], { record_delimiter: "\r\n" })}`;
}
