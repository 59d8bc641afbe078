import { CsvError, parse } from "csv-parse/sync";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { MAX_BULK_BYTES, MAX_BULK_ROWS } from "./limits";

/** How the file's bytes were read: UTF-8 (with or without BOM), or GBK/GB18030 as Excel saves CSV on Chinese Windows. */
export type BulkEncoding = "utf-8" | "gb18030";

/** One data line of the file, as written (trimmed). */
export interface BulkLine {
  /** The file's line number (1-based, the header included), as a spreadsheet shows it. */
  lineNo: number;
  outTradeNo: string;
  amountText: string;
  reason: string;
  /** More than three non-empty columns: most likely a reason with an unquoted comma. */
  extraColumns: boolean;
}

export interface ParsedBulkFile {
  encoding: BulkEncoding;
  lines: BulkLine[];
}

export type BulkFileErrorCode = "FILE_EMPTY" | "FILE_TOO_LARGE" | "TOO_MANY_ROWS" | "NOT_TEXT" | "CSV_SYNTAX";

export interface BulkFileError {
  code: BulkFileErrorCode;
  message: Message;
}

const HEADER_NAMES = new Set(["out_trade_no", "商户订单号"]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * UTF-8 first (a BOM is dropped); a file that is not valid UTF-8 is read as GB18030, the superset of GBK that Excel
 * writes on Chinese Windows. Text with control characters is neither, so it is refused rather than misread.
 */
export function decodeCsvBytes(bytes: Uint8Array): Result<{ text: string; encoding: BulkEncoding }, BulkFileError> {
  const body = UTF8_BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
  for (const encoding of ["utf-8", "gb18030"] as const) {
    try {
      const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
      // NUL and other C0 controls (except tab and line breaks) mean a binary file, e.g. an .xlsx renamed to .csv.
      // eslint-disable-next-line no-control-regex -- the control characters are what this looks for
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) break;
      return ok({ text, encoding });
    } catch {
      // not this encoding; try the next
    }
  }
  return err({
    code: "NOT_TEXT",
    message: msg("outcomes.bulk.csv.NOT_TEXT"),
  });
}

/** A CSV record with the file line it was read from (1-based). */
export interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/**
 * The records of a decoded CSV file, blank lines skipped, values trimmed. Parsing stops one record past `maxRows`
 * (a header may come first): a file of tiny lines never becomes more records in memory than a caller takes.
 */
export function readCsvRecords(text: string, maxRows: number): Result<CsvRecord[], BulkFileError> {
  try {
    // With `info`, each record comes with where it was read (the typings do not follow that option).
    return ok(
      parse(text, {
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_empty_values: true,
        trim: true,
        to: maxRows + 2,
      }) as unknown as CsvRecord[],
    );
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines ?? 0;
    return err({
      code: "CSV_SYNTAX",
      message: msg("outcomes.bulk.csv.CSV_SYNTAX", { line }),
    });
  }
}

/**
 * Parse an uploaded bulk refund file: `out_trade_no,amount,reason`, header optional, reason optional.
 * Only the file as a whole is judged here (size, encoding, CSV syntax, row count); each line is checked later.
 */
export function parseBulkCsv(bytes: Uint8Array): Result<ParsedBulkFile, BulkFileError> {
  if (bytes.byteLength > MAX_BULK_BYTES) {
    return err({
      code: "FILE_TOO_LARGE",
      message: msg("outcomes.bulk.csv.FILE_TOO_LARGE"),
    });
  }
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return decoded;

  const read = readCsvRecords(decoded.value.text, MAX_BULK_ROWS);
  if (!read.ok) return read;
  const records = read.value;

  const first = records[0]?.record[0]?.replace(/^\uFEFF/, "").toLowerCase();
  const data = first !== undefined && HEADER_NAMES.has(first) ? records.slice(1) : records;
  if (data.length === 0) {
    return err({ code: "FILE_EMPTY", message: msg("outcomes.bulk.csv.FILE_EMPTY") });
  }
  if (data.length > MAX_BULK_ROWS) {
    return err({
      code: "TOO_MANY_ROWS",
      message: msg("outcomes.bulk.csv.TOO_MANY_ROWS", { max: MAX_BULK_ROWS }),
    });
  }
  const lines = data.map(({ record, info }) => {
    const [outTradeNo = "", amountText = "", reason = "", ...rest] = record;
    return { lineNo: info.lines, outTradeNo, amountText, reason, extraColumns: rest.some((field) => field !== "") };
  });
  return ok({ encoding: decoded.value.encoding, lines });
}
