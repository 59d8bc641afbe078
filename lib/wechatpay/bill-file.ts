/**
 * WeChat Pay's bill file (对账单), shared by APIv3 (tradebill) and APIv2 (downloadbill): a header line, one line per
 * refund with every value prefixed by a backtick (so that spreadsheets keep long numbers as text), then a summary
 * header and one summary line. The file may come gzipped; APIv3 states a SHA1 of the uncompressed file.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { parseYuan } from "../money";
import { err, ok, type Result } from "../result";
import { wechatPayError, type WechatPayError } from "./errors";

/** The columns of the refund bill, in WeChat's order. */
export const REFUND_BILL_COLUMNS = [
  "交易时间",
  "公众账号ID",
  "商户号",
  "特约商户号",
  "设备号",
  "微信订单号",
  "商户订单号",
  "用户标识",
  "交易类型",
  "交易状态",
  "付款银行",
  "货币种类",
  "应结订单金额",
  "代金券金额",
  "微信退款单号",
  "商户退款单号",
  "退款金额",
  "充值券退款金额",
  "退款类型",
  "退款状态",
  "商品名称",
  "商户数据包",
  "手续费",
  "费率",
  "订单金额",
  "申请退款金额",
  "费率备注",
] as const;

export const REFUND_BILL_SUMMARY_COLUMNS = [
  "总交易单数",
  "应结订单总金额",
  "退款总金额",
  "充值券退款总金额",
  "手续费总金额",
  "订单总金额",
  "申请退款总金额",
] as const;

/** Bills are at most a day of refunds; this bounds what is held in memory for one. */
export const MAX_BILL_BYTES = 64 * 1024 * 1024;

/** One refund line, amounts in fen. */
export interface BillLine {
  /** 1-based position among the refund lines. */
  lineNo: number;
  outTradeNo: string | null;
  transactionId: string | null;
  outRefundNo: string;
  refundId: string | null;
  /** 申请退款金额 (what was asked for); 退款金额 when a bill has no such column. */
  refundFen: number;
  /** 退款金额: the settlement refund, what leaves the merchant's settled funds. */
  settlementRefundFen: number;
  /** 充值券退款金额: the part refunded to recharge coupons. */
  couponRefundFen: number;
  /** 退款状态 as written: SUCCESS, PROCESSING, REFUNDCLOSE… */
  refundStatus: string;
  /** Every column of the line, backticks removed. */
  raw: Record<string, string>;
}

export interface BillTotals {
  lineCount: number;
  /** 退款总金额 */
  settlementRefundFen: number;
  /** 充值券退款总金额 */
  couponRefundFen: number;
  /** 申请退款总金额 */
  refundFen: number;
  /** 手续费总金额 (negative when fees are returned) */
  feeFen: number;
}

export interface ParsedBill {
  lines: BillLine[];
  totals: BillTotals;
}

const invalid = (detail: string) => wechatPayError("malformed", "BILL_INVALID", detail);

/** `` `12.34 `` → `12.34`: WeChat's text marker, and surrounding blanks. */
function cell(value: string | undefined): string {
  return (value ?? "").trim().replace(/^`/, "").trim();
}

/** A yuan amount as the bill writes it (`0.01`, `-0.06`), in fen, without floats. */
export function billYuanToFen(text: string): Result<number, string> {
  const negative = text.startsWith("-");
  const parsed = parseYuan(negative ? text.slice(1) : text);
  if (!parsed.ok) return err(`amount ${JSON.stringify(text)}: ${parsed.error}`);
  return ok(negative ? -parsed.value : parsed.value);
}

function amountOf(row: Record<string, string>, column: string, where: string): Result<number, WechatPayError> {
  const text = row[column];
  if (text === undefined || text === "") return ok(0);
  const fen = billYuanToFen(text);
  return fen.ok ? fen : err(invalid(`${where}, ${column}: ${fen.error}`));
}

/** Reads the bill text. Columns are found by name, so a bill with extra columns (退款申请时间…) reads the same. */
export function parseRefundBill(text: string): Result<ParsedBill, WechatPayError> {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: false,
    });
  } catch (error) {
    return err(invalid(`not CSV: ${error instanceof Error ? error.message : String(error)}`));
  }
  const [header, ...rest] = records.map((r) => r.map(cell));
  if (!header || !header.includes("商户退款单号")) return err(invalid("no refund bill header"));
  const summaryAt = rest.findIndex((r) => r[0] === REFUND_BILL_SUMMARY_COLUMNS[0]);
  if (summaryAt < 0) return err(invalid("no summary section"));
  const summaryHeader = rest[summaryAt] ?? [];
  const summaryValues = rest[summaryAt + 1];
  if (!summaryValues) return err(invalid("summary section without values"));

  const lines: BillLine[] = [];
  for (const [index, values] of rest.slice(0, summaryAt).entries()) {
    const where = `line ${index + 1}`;
    if (values.length !== header.length)
      return err(invalid(`${where} has ${values.length} columns, the header ${header.length}`));
    const raw = Object.fromEntries(header.map((name, i) => [name, values[i] ?? ""]));
    const outRefundNo = raw["商户退款单号"] ?? "";
    if (outRefundNo === "") return err(invalid(`${where} has no 商户退款单号`));
    const settlement = amountOf(raw, "退款金额", where);
    const applied = amountOf(raw, "申请退款金额", where);
    const coupon = amountOf(raw, "充值券退款金额", where);
    if (!settlement.ok) return settlement;
    if (!applied.ok) return applied;
    if (!coupon.ok) return coupon;
    lines.push({
      lineNo: index + 1,
      outTradeNo: raw["商户订单号"] || null,
      transactionId: raw["微信订单号"] || null,
      outRefundNo,
      refundId: raw["微信退款单号"] || null,
      refundFen: "申请退款金额" in raw ? applied.value : settlement.value,
      settlementRefundFen: settlement.value,
      couponRefundFen: coupon.value,
      refundStatus: raw["退款状态"] ?? "",
      raw,
    });
  }

  const summary = Object.fromEntries(summaryHeader.map((name, i) => [name, summaryValues[i] ?? ""]));
  const count = Number(summary["总交易单数"]);
  if (!Number.isSafeInteger(count) || count !== lines.length) {
    return err(invalid(`summary counts ${summary["总交易单数"]} lines, the bill has ${lines.length}`));
  }
  const totals: Partial<BillTotals> = { lineCount: count };
  const fields = [
    ["settlementRefundFen", "退款总金额"],
    ["couponRefundFen", "充值券退款总金额"],
    ["refundFen", "申请退款总金额"],
    ["feeFen", "手续费总金额"],
  ] as const;
  for (const [key, column] of fields) {
    const fen = amountOf(summary, column, "summary");
    if (!fen.ok) return fen;
    totals[key] = fen.value;
  }
  return ok({ lines, totals: totals as BillTotals });
}

/** Whether the bytes are gzip (magic 1f 8b), whatever the caller asked for. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bill file as text: gunzipped when it is gzip, UTF-8 decoded. */
export function billText(bytes: Uint8Array): Result<{ text: string; plain: Buffer }, WechatPayError> {
  let plain: Buffer;
  try {
    plain = isGzip(bytes) ? gunzipSync(bytes, { maxOutputLength: MAX_BILL_BYTES }) : Buffer.from(bytes);
  } catch (error) {
    return err(invalid(`gzip: ${error instanceof Error ? error.message : String(error)}`));
  }
  try {
    return ok({ text: new TextDecoder("utf-8", { fatal: true }).decode(plain), plain });
  } catch {
    return err(invalid("bill is not UTF-8"));
  }
}

/** The digest WeChat states for a bill, over the uncompressed file. */
export function billDigest(plain: Uint8Array, hashType: string): Result<string, WechatPayError> {
  const algorithm = { SHA1: "sha1", SHA256: "sha256", SM3: undefined }[hashType.toUpperCase()];
  if (!algorithm) return err(invalid(`hash_type ${hashType} is not supported`));
  return ok(createHash(algorithm).update(plain).digest("hex"));
}

/**
 * Bytes as downloaded → checked, parsed bill. With an expected hash (APIv3), a file whose digest differs is refused:
 * it was cut off or altered on the way, and nothing in it may be trusted.
 */
export function readBillFile(
  bytes: Uint8Array,
  expected?: { hashType: string; hashValue: string },
): Result<ParsedBill, WechatPayError> {
  const text = billText(bytes);
  if (!text.ok) return text;
  if (expected) {
    const digest = billDigest(text.value.plain, expected.hashType);
    if (!digest.ok) return digest;
    if (digest.value !== expected.hashValue.toLowerCase()) {
      return err(
        wechatPayError(
          "verification",
          "BILL_HASH_MISMATCH",
          `${expected.hashType} of the bill is ${digest.value}, WeChat stated ${expected.hashValue}`,
        ),
      );
    }
  }
  return parseRefundBill(text.value.text);
}
