/**
 * An orders file as lines: the orders export's header (Chinese or English, or the API's field names) read into
 * columns, every line checked on its own (`checkLine`), the file-wide limits and encodings of the bulk refunds.
 */
import enExports from "../../messages/en/exports.json";
import zhExports from "../../messages/zh-CN/exports.json";
import { fromBeijingPlain } from "../beijing-time";
import { decodeCsvBytes, readCsvRecords, type BulkFileError } from "../bulk/csv";
import { MAX_BULK_BYTES } from "../bulk/limits";
import type { OrderFileProblem } from "../db/schema";
import { OUT_TRADE_NO_PATTERN } from "../merchant-api/schemas";
import { parseYuan } from "../money";
import { err, ok, type Result } from "../result";
import { msg, type Message } from "../message";

/** An orders file is read whole within the upload limit; this many lines at most (about 2 MB of orders). */
export const MAX_ORDER_FILE_ROWS = 20_000;
export const MAX_ORDER_FILE_BYTES = MAX_BULK_BYTES;

/** The columns read from the file; the export's others (refunded, state…) describe the console's own refunds. */
const READ_COLUMNS = ["paidAt", "outTradeNo", "transactionId", "description", "total", "refunded", "inFlight"] as const;
type ReadColumn = (typeof READ_COLUMNS)[number];

/** Header text → column: the export's headers in both languages, and the API's field names. */
const HEADERS = new Map<string, ReadColumn>();
for (const column of READ_COLUMNS) {
  HEADERS.set(column.toLowerCase(), column);
  HEADERS.set(
    column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    column,
  );
  for (const names of [enExports.orders.columns, zhExports.orders.columns])
    HEADERS.set(names[column].toLowerCase(), column);
}
HEADERS.set("paid_at", "paidAt");

const TRANSACTION_ID_PATTERN = /^[0-9A-Za-z]{1,32}$/;
const MAX_DESCRIPTION = 127;

export interface OrderFileError {
  code: BulkFileError["code"] | "NO_HEADER";
  message: Message;
}

export interface OrderLine {
  lineNo: number;
  outTradeNo: string;
  transactionId: string;
  totalFen: number;
  paidAt: Date;
  description: string;
}

export const problem = (lineNo: number, outTradeNo: string, code: string, message: Message): OrderFileProblem => ({
  lineNo,
  outTradeNo,
  code,
  message,
});

/** A line as an order, or what is wrong with it (the first thing found). */
export function checkLine(
  lineNo: number,
  cells: Partial<Record<ReadColumn, string>>,
  now: Date,
): OrderLine | OrderFileProblem {
  const outTradeNo = cells.outTradeNo ?? "";
  const refuse = (code: string, message: Message) => problem(lineNo, outTradeNo, code, message);
  if (!OUT_TRADE_NO_PATTERN.test(outTradeNo))
    return refuse("INVALID_OUT_TRADE_NO", msg("outcomes.ordersImport.orderFile.INVALID_OUT_TRADE_NO"));
  const transactionId = cells.transactionId ?? "";
  if (!TRANSACTION_ID_PATTERN.test(transactionId))
    return refuse("INVALID_TRANSACTION_ID", msg("outcomes.ordersImport.orderFile.INVALID_TRANSACTION_ID"));
  const total = parseYuan(cells.total ?? "");
  if (!total.ok || total.value <= 0)
    return refuse("INVALID_AMOUNT", msg("outcomes.ordersImport.orderFile.INVALID_AMOUNT"));
  const iso = fromBeijingPlain(cells.paidAt);
  if (!iso || Number.isNaN(Date.parse(iso)))
    return refuse("INVALID_PAID_AT", msg("outcomes.ordersImport.orderFile.INVALID_PAID_AT"));
  const paidAt = new Date(iso);
  if (paidAt > now) return refuse("INVALID_PAID_AT", msg("outcomes.ordersImport.orderFile.PAID_AT_IN_FUTURE"));
  const description = cells.description ?? "";
  if (description.length > MAX_DESCRIPTION)
    return refuse(
      "INVALID_DESCRIPTION",
      msg("outcomes.ordersImport.orderFile.INVALID_DESCRIPTION", { max: MAX_DESCRIPTION }),
    );
  for (const column of ["refunded", "inFlight"] as const) {
    const amount = parseYuan(cells[column] || "0");
    if (!amount.ok || amount.value !== 0)
      return refuse("HAS_REFUNDS", msg("outcomes.ordersImport.orderFile.HAS_REFUNDS"));
  }
  return { lineNo, outTradeNo, transactionId, totalFen: total.value, paidAt, description };
}

/** The file's lines, keyed by the header's columns; a file without a recognised header is refused whole. */
export function readLines(
  bytes: Uint8Array,
): Result<
  { encoding: string; lines: { lineNo: number; cells: Partial<Record<ReadColumn, string>> }[] },
  OrderFileError
> {
  if (bytes.byteLength > MAX_ORDER_FILE_BYTES)
    return err({
      code: "FILE_TOO_LARGE",
      message: msg("outcomes.ordersImport.orderFile.FILE_TOO_LARGE"),
    });
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return decoded;
  const records = readCsvRecords(decoded.value.text, MAX_ORDER_FILE_ROWS);
  if (!records.ok) return records;
  const [header, ...data] = records.value;
  const columns = (header?.record ?? []).map((name) =>
    HEADERS.get(
      name
        .replace(/^\uFEFF/, "")
        .trim()
        .toLowerCase(),
    ),
  );
  const missing = (["outTradeNo", "transactionId", "total", "paidAt"] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0)
    return err({
      code: "NO_HEADER",
      message: msg("outcomes.ordersImport.orderFile.NO_HEADER", {
        missing: missing.map((c) => enExports.orders.columns[c]).join(", "),
        missingZh: missing.map((c) => zhExports.orders.columns[c]).join("、"),
      }),
    });
  if (data.length === 0) return err({ code: "FILE_EMPTY", message: msg("outcomes.ordersImport.orderFile.FILE_EMPTY") });
  if (data.length > MAX_ORDER_FILE_ROWS)
    return err({
      code: "TOO_MANY_ROWS",
      message: msg("outcomes.ordersImport.orderFile.TOO_MANY_ROWS", { max: MAX_ORDER_FILE_ROWS }),
    });
  const lines = data.map(({ record, info }) => {
    const cells: Partial<Record<ReadColumn, string>> = {};
    columns.forEach((column, i) => {
      if (column) cells[column] = record[i] ?? "";
    });
    return { lineNo: info.lines, cells };
  });
  return ok({ encoding: decoded.value.encoding, lines });
}
