import type { BilingualText } from "../i18n-text";
import { formatFen, parseYuan } from "../money";
import { checkMerchantActive } from "../refunds/merchant-active";
import { reasonFits, reasonTooLongMessage } from "../wechatpay/reason-limit";
import type { BulkLine } from "./csv";
import { checkNewRefund, type OrderForRules, MAX_REFUNDS_PER_ORDER, remainingFen } from "../refunds/policy";

/** What the preview needs to know of an order named in the file. */
export interface OrderForBulk extends OrderForRules {
  id: number;
  payerOpenid: string | null;
}

export type BulkRowErrorCode =
  | "MERCHANT_INACTIVE"
  | "ORDER_NO_MISSING"
  | "AMOUNT_MISSING"
  | "AMOUNT_FORMAT"
  | "REASON_TOO_LONG"
  | "EXTRA_COLUMNS"
  | "DUPLICATE_LINE"
  | "ORDER_NOT_FOUND"
  | "ORDER_TOO_OLD"
  | "ORDER_FULLY_REFUNDED"
  | "REFUND_LIMIT_REACHED"
  | "INVALID_AMOUNT"
  | "AMOUNT_EXCEEDS_REMAINING";

/** One line after the preview: READY with its resolved amount, or INVALID with the reason. */
export interface ValidatedLine extends BulkLine {
  status: "READY" | "INVALID";
  full: boolean;
  amountFen: number | null;
  orderId: number | null;
  payerOpenid: string | null;
  errorCode: BulkRowErrorCode | null;
  errorMessage: BilingualText | null;
}

export interface ValidationContext {
  merchantActive: boolean;
  /** The merchant's orders named in the file, by out_trade_no. */
  orders: ReadonlyMap<string, OrderForBulk>;
  now: Date;
}

export interface ValidationResult {
  lines: ValidatedLine[];
  validRows: number;
  validAmountFen: number;
}

type Failure = { code: BulkRowErrorCode; message: BilingualText };

const fail = (code: BulkRowErrorCode, zh: string, en: string): Failure => ({ code, message: { zh, en } });

/** `full`, or yuan with at most two decimals; whatever else a person may have typed is refused with the reason. */
function parseAmount(text: string): { full: true } | { full: false; fen: number } | Failure {
  if (text === "") return fail("AMOUNT_MISSING", "缺少退款金额。", "The amount is missing.");
  if (/^full$/i.test(text) || text === "全额") return { full: true };
  const parsed = parseYuan(text);
  if (parsed.ok) return { full: false, fen: parsed.value };
  return parsed.error === "TOO_MANY_DECIMALS"
    ? fail(
        "AMOUNT_FORMAT",
        `金额“${text}”超过两位小数（最小单位为分）。`,
        `“${text}” has more than two decimals (the smallest unit is one fen).`,
      )
    : fail(
        "AMOUNT_FORMAT",
        `金额“${text}”无法识别：请填写以元为单位的金额（如 12.50）或 full。`,
        `“${text}” is not an amount: write yuan like 12.50, or “full”.`,
      );
}

/** Earlier valid lines of this file on one order: counted as if they were already refunds of it. */
interface Claimed {
  fen: number;
  count: number;
  lineNos: number[];
}

/**
 * The preview, line by line, in file order: each valid line reserves its amount and one of the order's 50 places
 * against the lines after it, exactly as the refunds will when they run, so a file that over-refunds an order is
 * caught here and not halfway through the run. Pure: the caller loads the orders.
 */
export function validateLines(lines: readonly BulkLine[], context: ValidationContext): ValidationResult {
  const claimed = new Map<number, Claimed>();
  const seen = new Map<string, number>();
  const result: ValidatedLine[] = [];
  let validRows = 0;
  let validAmountFen = 0;

  for (const line of lines) {
    const base: ValidatedLine = {
      ...line,
      status: "INVALID",
      full: false,
      amountFen: null,
      orderId: null,
      payerOpenid: null,
      errorCode: null,
      errorMessage: null,
    };
    const amount = parseAmount(line.amountText);
    const order = context.orders.get(line.outTradeNo);
    if (order) Object.assign(base, { orderId: order.id, payerOpenid: order.payerOpenid });
    if (!("code" in amount)) Object.assign(base, { full: amount.full, amountFen: amount.full ? null : amount.fen });

    const problem = ((): Failure | null => {
      const open = checkMerchantActive(context.merchantActive);
      if (!open.ok) return open.error;
      if (line.outTradeNo === "") return fail("ORDER_NO_MISSING", "缺少商户订单号。", "The out_trade_no is missing.");
      if ("code" in amount) return amount;
      if (!reasonFits(line.reason)) {
        const { zh, en } = reasonTooLongMessage(line.reason);
        return fail("REASON_TOO_LONG", zh, en);
      }
      if (line.extraColumns) {
        return fail(
          "EXTRA_COLUMNS",
          "该行超过 3 列：含逗号的退款原因请用英文双引号括起来。",
          "This line has more than 3 columns: put a reason that contains commas in double quotes.",
        );
      }
      const key = [line.outTradeNo, amount.full ? "full" : amount.fen, line.reason].join("\u0000");
      const first = seen.get(key);
      if (first !== undefined) {
        return fail(
          "DUPLICATE_LINE",
          `与第 ${first} 行重复（商户订单号、金额和退款原因均相同）。`,
          `Same as line ${first} (same out_trade_no, amount and reason).`,
        );
      }
      seen.set(key, line.lineNo);
      if (!order)
        return fail(
          "ORDER_NOT_FOUND",
          "该商户下找不到此商户订单号的订单。",
          "No order with this out_trade_no for this merchant.",
        );
      if (remainingFen(order) === 0) {
        return fail(
          "ORDER_FULLY_REFUNDED",
          "该订单已全额退款（或剩余金额都在退款中）。",
          "This order is already fully refunded (or what remains is being refunded).",
        );
      }
      const earlier = claimed.get(order.id) ?? { fen: 0, count: 0, lineNos: [] };
      const sums = {
        ...order,
        inFlightFen: order.inFlightFen + earlier.fen,
        refundCount: order.refundCount + earlier.count,
      };
      const fen = amount.full ? remainingFen(sums) : amount.fen;
      const allowed = checkNewRefund(sums, fen, context.now);
      if (!allowed.ok) {
        // "full" after earlier lines took everything resolves to ¥0: that is those lines' doing, said so below.
        const ownFault =
          allowed.error.code === "ORDER_TOO_OLD" || (allowed.error.code === "INVALID_AMOUNT" && !amount.full);
        if (earlier.count === 0 || ownFault) return allowed.error;
        const rows = earlier.lineNos.join(", ");
        return allowed.error.code === "REFUND_LIMIT_REACHED"
          ? fail(
              "REFUND_LIMIT_REACHED",
              `加上本文件第 ${rows} 行，该订单将超过微信支付每单 ${MAX_REFUNDS_PER_ORDER} 笔退款的上限。`,
              `With lines ${rows} of this file, the order would pass WeChat Pay's limit of ${MAX_REFUNDS_PER_ORDER} refunds.`,
            )
          : fail(
              "AMOUNT_EXCEEDS_REMAINING",
              `本文件第 ${rows} 行已对该订单退款 ${formatFen(earlier.fen)}，剩余可退 ${formatFen(remainingFen(sums))}，不足 ${formatFen(fen)}。`,
              `Lines ${rows} of this file already refund ${formatFen(earlier.fen)} of this order; ${formatFen(remainingFen(sums))} remains, less than ${formatFen(fen)}.`,
            );
      }
      claimed.set(order.id, {
        fen: earlier.fen + fen,
        count: earlier.count + 1,
        lineNos: [...earlier.lineNos, line.lineNo],
      });
      base.amountFen = fen;
      return null;
    })();

    if (problem) {
      result.push({ ...base, errorCode: problem.code, errorMessage: problem.message });
    } else {
      result.push({ ...base, status: "READY" });
      validRows += 1;
      validAmountFen += base.amountFen ?? 0;
    }
  }
  return { lines: result, validRows, validAmountFen };
}
