/**
 * Orders from a file: a merchant moving from another system uploads its orders in the columns of the console's own
 * orders export (headers in Chinese or English, as the export writes them). Each line is checked on its own; good
 * lines become orders, a line whose order is already there exactly as stated is left alone (uploading the same file
 * again changes nothing), and every refused line is kept with its reason for the downloadable error report.
 */
import { and, eq, inArray } from "drizzle-orm";
import enExports from "../../messages/en/exports.json";
import zhExports from "../../messages/zh-CN/exports.json";
import { appendAudit, type AuditActor } from "../audit/append";
import { beijingPlainToIso } from "../beijing-time";
import { decodeCsvBytes, readCsvRecords, type BulkFileError } from "../bulk/csv";
import { MAX_BULK_BYTES } from "../bulk/limits";
import type { Database, Db } from "../db/client";
import { orderFileImports, orders, type OrderFileImport, type OrderFileProblem } from "../db/schema";
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

interface OrderLine {
  lineNo: number;
  outTradeNo: string;
  transactionId: string;
  totalFen: number;
  paidAt: Date;
  description: string;
}

const problem = (lineNo: number, outTradeNo: string, code: string, zh: string, en: string): OrderFileProblem => ({
  lineNo,
  outTradeNo,
  code,
  message: { zh, en },
});

/** A line as an order, or what is wrong with it (the first thing found). */
function checkLine(
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
  const iso = beijingPlainToIso(cells.paidAt);
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
function readLines(
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

const CHUNK = 1000;

async function existingOrders(db: Db, merchantId: string, numbers: string[]) {
  const found = new Map<string, { transactionId: string; totalFen: number }>();
  for (let i = 0; i < numbers.length; i += CHUNK) {
    const rows = await db
      .select({ outTradeNo: orders.outTradeNo, transactionId: orders.transactionId, totalFen: orders.totalFen })
      .from(orders)
      .where(and(eq(orders.merchantId, merchantId), inArray(orders.outTradeNo, numbers.slice(i, i + CHUNK))));
    for (const row of rows) found.set(row.outTradeNo, row);
  }
  return found;
}

export interface OrderFileInput {
  merchantId: string;
  fileName: string;
  bytes: Uint8Array;
  actor: AuditActor;
  userId: string | null;
  now?: Date;
}

/** Reads, checks and imports the file in one transaction, recording its outcome and an audit row. */
export async function importOrderFile(
  db: Database,
  input: OrderFileInput,
): Promise<Result<OrderFileImport, OrderFileError>> {
  const now = input.now ?? new Date();
  const read = readLines(input.bytes);
  if (!read.ok) return read;
  const problems: OrderFileProblem[] = [];
  const good: OrderLine[] = [];
  const seen = new Set<string>();
  for (const { lineNo, cells } of read.value.lines) {
    const line = checkLine(lineNo, cells, now);
    if ("code" in line) problems.push(line);
    else if (seen.has(line.outTradeNo))
      problems.push(
        problem(
          lineNo,
          line.outTradeNo,
          "DUPLICATE_IN_FILE",
          "商户订单号在文件中重复出现。",
          "The order no. appears more than once in the file.",
        ),
      );
    else {
      seen.add(line.outTradeNo);
      good.push(line);
    }
  }

  return db.transaction(async (tx) => {
    const existing = await existingOrders(
      tx,
      input.merchantId,
      good.map((l) => l.outTradeNo),
    );
    let imported = 0;
    let unchanged = 0;
    const fresh: OrderLine[] = [];
    for (const line of good) {
      const known = existing.get(line.outTradeNo);
      if (!known) fresh.push(line);
      else if (known.transactionId === line.transactionId && known.totalFen === line.totalFen) unchanged += 1;
      else
        problems.push(
          problem(
            line.lineNo,
            line.outTradeNo,
            "ORDER_CONFLICT",
            "该商户订单号已存在，但微信支付订单号或金额不同；未覆盖。",
            "An order with this number exists with another transaction ID or amount; it was not overwritten.",
          ),
        );
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const rows = await tx
        .insert(orders)
        .values(
          fresh.slice(i, i + CHUNK).map((l) => ({
            merchantId: input.merchantId,
            outTradeNo: l.outTradeNo,
            transactionId: l.transactionId,
            totalFen: l.totalFen,
            paidAt: l.paidAt,
            description: l.description,
          })),
        )
        // A concurrent import of the same order makes it; this one then finds nothing to do for that line.
        .onConflictDoNothing({ target: [orders.merchantId, orders.outTradeNo] })
        .returning({ id: orders.id });
      imported += rows.length;
      unchanged += Math.min(CHUNK, fresh.length - i) - rows.length;
    }
    problems.sort((a, b) => a.lineNo - b.lineNo);
    const [row] = await tx
      .insert(orderFileImports)
      .values({
        merchantId: input.merchantId,
        fileName: input.fileName.slice(0, 255),
        encoding: read.value.encoding,
        totalRows: read.value.lines.length,
        importedRows: imported,
        unchangedRows: unchanged,
        problems,
        uploadedBy: input.userId,
      })
      .returning();
    await appendAudit(
      tx,
      input.actor,
      "orders.file_import",
      { type: "order_file_import", id: row!.id, merchantId: input.merchantId },
      {
        fileName: row!.fileName,
        totalRows: row!.totalRows,
        imported,
        unchanged,
        refused: problems.length,
      },
    );
    return ok(row!);
  });
}
