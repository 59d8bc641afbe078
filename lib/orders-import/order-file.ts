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
  message: { zh: string; en: string };
}

export interface OrderLine {
  lineNo: number;
  outTradeNo: string;
  transactionId: string;
  totalFen: number;
  paidAt: Date;
  description: string;
}

export const problem = (
  lineNo: number,
  outTradeNo: string,
  code: string,
  zh: string,
  en: string,
): OrderFileProblem => ({
  lineNo,
  outTradeNo,
  code,
  message: { zh, en },
});

/** A line as an order, or what is wrong with it (the first thing found). */
export function checkLine(
  lineNo: number,
  cells: Partial<Record<ReadColumn, string>>,
  now: Date,
): OrderLine | OrderFileProblem {
  const outTradeNo = cells.outTradeNo ?? "";
  const refuse = (code: string, zh: string, en: string) => problem(lineNo, outTradeNo, code, zh, en);
  if (!OUT_TRADE_NO_PATTERN.test(outTradeNo))
    return refuse(
      "INVALID_OUT_TRADE_NO",
      "商户订单号须为 6–32 位字母、数字或 _-|*。",
      "The order no. must be 6–32 characters of letters, digits or _-|*.",
    );
  const transactionId = cells.transactionId ?? "";
  if (!TRANSACTION_ID_PATTERN.test(transactionId))
    return refuse(
      "INVALID_TRANSACTION_ID",
      "微信支付订单号须为 1–32 位字母或数字。",
      "The WeChat Pay transaction ID must be 1–32 letters or digits.",
    );
  const total = parseYuan(cells.total ?? "");
  if (!total.ok || total.value <= 0)
    return refuse(
      "INVALID_AMOUNT",
      "订单金额须为大于 0 的金额（元，最多两位小数）。",
      "The order amount must be more than 0, in yuan with at most two decimals.",
    );
  const iso = fromBeijingPlain(cells.paidAt);
  if (!iso || Number.isNaN(Date.parse(iso)))
    return refuse(
      "INVALID_PAID_AT",
      "支付时间须为北京时间 YYYY-MM-DD HH:mm:ss。",
      "The payment time must be Beijing time as YYYY-MM-DD HH:mm:ss.",
    );
  const paidAt = new Date(iso);
  if (paidAt > now)
    return refuse("INVALID_PAID_AT", "支付时间不能晚于现在。", "The payment time cannot be in the future.");
  const description = cells.description ?? "";
  if (description.length > MAX_DESCRIPTION)
    return refuse(
      "INVALID_DESCRIPTION",
      `商品描述最多 ${MAX_DESCRIPTION} 个字符。`,
      `The description is at most ${MAX_DESCRIPTION} characters.`,
    );
  for (const column of ["refunded", "inFlight"] as const) {
    const amount = parseYuan(cells[column] || "0");
    if (!amount.ok || amount.value !== 0)
      return refuse(
        "HAS_REFUNDS",
        "该订单在原系统中已有退款：导入文件只接受未退款的订单。",
        "The order has refunds in the previous system: a file import takes only orders without refunds.",
      );
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
      message: {
        zh: "文件超过 2 MB 上限，请拆分后分批上传。",
        en: "The file is larger than 2 MB. Split it and upload the parts one after another.",
      },
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
      message: {
        zh: `第一行须为订单导出的表头（缺少：${missing.map((c) => zhExports.orders.columns[c]).join("、")}）。`,
        en: `The first line must be the orders export's header (missing: ${missing.map((c) => enExports.orders.columns[c]).join(", ")}).`,
      },
    });
  if (data.length === 0)
    return err({ code: "FILE_EMPTY", message: { zh: "文件中没有订单行。", en: "The file has no order lines." } });
  if (data.length > MAX_ORDER_FILE_ROWS)
    return err({
      code: "TOO_MANY_ROWS",
      message: {
        zh: `文件超过 ${MAX_ORDER_FILE_ROWS} 行（单次上限），请拆分后分批上传。`,
        en: `The file has more than ${MAX_ORDER_FILE_ROWS} lines, the most one upload takes. Split it.`,
      },
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
