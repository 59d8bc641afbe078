/**
 * WeChat Pay's bill file (对账单), shared by APIv3 (tradebill) and APIv2 (downloadbill): a header line, one line per
 * refund with every value prefixed by a backtick (so that spreadsheets keep long numbers as text), then a summary
 * header and one summary line. The file may come gzipped; APIv3 states a SHA1 of the uncompressed file.
 */
import { createHash, type Hash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { err, ok, type Result } from "../result";
import { billAmount, billInvalid, BillReader } from "./bill-reader";
import { wechatPayError, type WechatPayError } from "./errors";

export { billYuanToFen } from "./bill-reader";

/**
 * The columns of the trade bill (交易账单), in WeChat's order: the ALL bill (payments and refunds of a day) and the
 * REFUND bill have the same ones for merchants settled after coupons (免充值券结算, every merchant since 2018). A
 * payment line has 交易状态 SUCCESS and 0 in the refund columns; a refund line has REFUND and its payment's ids.
 */
export const BILL_COLUMNS = [
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

export const BILL_SUMMARY_COLUMNS = [
  "总交易单数",
  "应结订单总金额",
  "退款总金额",
  "充值券退款总金额",
  "手续费总金额",
  "订单总金额",
  "申请退款总金额",
] as const;

/** The bill types the console downloads: the refunds of a day (reconciliation), or all its payments and refunds. */
export type BillType = "REFUND" | "ALL";

/**
 * An ALL bill is streamed, but its gzip file is downloaded first: this bounds it (a million lines gzip to about
 * 30 MiB; see docs/benchmarks.md).
 */
export const MAX_TRADE_BILL_BYTES = 256 * 1024 * 1024;

/** A whole ALL bill download's deadline: tens of MiB take longer than an API answer's few seconds. */
export const TRADE_BILL_TIMEOUT_MS = 10 * 60_000;

/** A refund bill is at most a day of refunds, read whole; this bounds what is held in memory for one. */
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

const invalid = billInvalid;

/** Reads the bill text. Columns are found by name, so a bill with extra columns (退款申请时间…) reads the same. */
export function parseRefundBill(text: string): Result<ParsedBill, WechatPayError> {
  const reader = new BillReader("商户退款单号");
  const lines: BillLine[] = [];
  for (const textLine of text.split("\n")) {
    const read = reader.line(textLine);
    if (!read.ok) return read;
    if (read.value === null) continue;
    const { lineNo, raw } = read.value;
    const where = `line ${lineNo}`;
    const outRefundNo = raw["商户退款单号"] ?? "";
    if (outRefundNo === "") return err(invalid(`${where} has no 商户退款单号`));
    const settlement = billAmount(raw, "退款金额", where);
    const applied = billAmount(raw, "申请退款金额", where);
    const coupon = billAmount(raw, "充值券退款金额", where);
    if (!settlement.ok) return settlement;
    if (!applied.ok) return applied;
    if (!coupon.ok) return coupon;
    lines.push({
      lineNo,
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
  const summary = reader.finish();
  if (!summary.ok) return summary;
  const totals: Partial<BillTotals> = { lineCount: summary.value.lineCount };
  const fields = [
    ["settlementRefundFen", "退款总金额"],
    ["couponRefundFen", "充值券退款总金额"],
    ["refundFen", "申请退款总金额"],
    ["feeFen", "手续费总金额"],
  ] as const;
  for (const [key, column] of fields) {
    const fen = billAmount(summary.value.values, column, "summary");
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

/** A hash of the kind WeChat states for a bill (hash_type), to be fed the uncompressed file. */
export function billHasher(hashType: string): Result<Hash, WechatPayError> {
  const algorithm = { SHA1: "sha1", SHA256: "sha256", SM3: undefined }[hashType.toUpperCase()];
  if (!algorithm) return err(invalid(`hash_type ${hashType} is not supported`));
  return ok(createHash(algorithm));
}

/** The digest WeChat states for a bill, over the uncompressed file. */
export function billDigest(plain: Uint8Array, hashType: string): Result<string, WechatPayError> {
  const hasher = billHasher(hashType);
  return hasher.ok ? ok(hasher.value.update(plain).digest("hex")) : hasher;
}

/** The error of a bill whose digest is not the one WeChat stated: cut off or altered on the way. */
export function hashMismatch(hashType: string, actual: string, stated: string): WechatPayError {
  return wechatPayError(
    "verification",
    "BILL_HASH_MISMATCH",
    `${hashType} of the bill is ${actual}, WeChat stated ${stated}`,
  );
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
      return err(hashMismatch(expected.hashType, digest.value, expected.hashValue));
    }
  }
  return parseRefundBill(text.value.text);
}
