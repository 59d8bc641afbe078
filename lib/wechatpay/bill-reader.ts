/**
 * WeChat Pay's bill text, one line at a time: the same reader serves a refund bill held in memory and a trade bill
 * of a million lines streamed from a gzip file. A bill is not quoted CSV: values are separated by commas, each data
 * value is prefixed by a backtick (so that spreadsheets keep long numbers as text), and after the data lines come a
 * summary header (总交易单数,…) and one summary line.
 */
import { parseYuan } from "../money";
import { err, ok, type Result } from "../result";
import { wechatPayError, type WechatPayError } from "./errors";

/** The first column of the summary header, in every bill type. */
export const SUMMARY_FIRST_COLUMN = "总交易单数";

/** A line longer than this is not a bill line; it bounds what one line may hold in memory. */
export const MAX_BILL_LINE_CHARS = 16 * 1024;

export const billInvalid = (detail: string) => wechatPayError("malformed", "BILL_INVALID", detail);

/** `` `12.34 `` → `12.34`: WeChat's text marker, and surrounding blanks. */
export function billCell(value: string | undefined): string {
  return (value ?? "").trim().replace(/^`/, "").trim();
}

/**
 * A yuan amount as the bill writes it (`0.01`, `-0.06`, and fees padded to five decimals: `0.00000`), in fen, without
 * floats. Decimals past the second must be zeros: WeChat rounds fees to fen and pads them.
 */
export function billYuanToFen(text: string): Result<number, string> {
  const negative = text.startsWith("-");
  const unsigned = (negative ? text.slice(1) : text).replace(/^(\d+\.\d{2})0+$/, "$1");
  const parsed = parseYuan(unsigned);
  if (!parsed.ok) return err(`amount ${JSON.stringify(text)}: ${parsed.error}`);
  return ok(negative ? -parsed.value : parsed.value);
}

/** The fen of a named column; an absent or empty value is 0. */
export function billAmount(row: Record<string, string>, column: string, where: string): Result<number, WechatPayError> {
  const text = row[column];
  if (text === undefined || text === "") return ok(0);
  const fen = billYuanToFen(text);
  return fen.ok ? fen : err(billInvalid(`${where}, ${column}: ${fen.error}`));
}

export interface BillSummary {
  /** The summary line by column name. */
  values: Record<string, string>;
  /** How many data lines the bill had (and the summary's 总交易单数 confirmed). */
  lineCount: number;
}

/**
 * Feed it the bill's lines in order. `line` answers the data line as a record keyed by the header's names (or null
 * for the header, the summary and blank lines); `finish` checks that the summary was there and counts the lines read.
 */
export class BillReader {
  private header: string[] | null = null;
  private summaryHeader: string[] | null = null;
  private summary: Record<string, string> | null = null;
  private dataLines = 0;

  constructor(private readonly requiredColumn: string) {}

  line(text: string): Result<{ lineNo: number; raw: Record<string, string> } | null, WechatPayError> {
    if (text.length > MAX_BILL_LINE_CHARS) return err(billInvalid(`a line is longer than ${MAX_BILL_LINE_CHARS}`));
    const trimmed = (this.header === null ? text.replace(/^\uFEFF/, "") : text).replace(/\r$/, "");
    if (trimmed.trim() === "") return ok(null);
    const values = trimmed.split(",").map(billCell);
    if (this.header === null) {
      if (!values.includes(this.requiredColumn)) return err(billInvalid(`no bill header with ${this.requiredColumn}`));
      this.header = values;
      return ok(null);
    }
    if (this.summary !== null) return err(billInvalid("a line after the summary"));
    if (this.summaryHeader !== null) {
      this.summary = Object.fromEntries(this.summaryHeader.map((name, i) => [name, values[i] ?? ""]));
      return ok(null);
    }
    if (values[0] === SUMMARY_FIRST_COLUMN) {
      this.summaryHeader = values;
      return ok(null);
    }
    this.dataLines += 1;
    const where = `line ${this.dataLines}`;
    if (values.length !== this.header.length)
      return err(billInvalid(`${where} has ${values.length} columns, the header ${this.header.length}`));
    const header = this.header;
    return ok({ lineNo: this.dataLines, raw: Object.fromEntries(header.map((name, i) => [name, values[i] ?? ""])) });
  }

  finish(): Result<BillSummary, WechatPayError> {
    if (this.header === null) return err(billInvalid(`no bill header with ${this.requiredColumn}`));
    if (this.summaryHeader === null) return err(billInvalid("no summary section"));
    if (this.summary === null) return err(billInvalid("summary section without values"));
    const count = Number(this.summary[SUMMARY_FIRST_COLUMN]);
    if (!Number.isSafeInteger(count) || count !== this.dataLines) {
      return err(
        billInvalid(`summary counts ${this.summary[SUMMARY_FIRST_COLUMN]} lines, the bill has ${this.dataLines}`),
      );
    }
    return ok({ values: this.summary, lineCount: count });
  }
}
