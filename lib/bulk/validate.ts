import { msg, type Message } from "../message";
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
  errorMessage: Message | null;
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

type Failure = { code: BulkRowErrorCode; message: Message };

const fail = (code: BulkRowErrorCode, message: Message): Failure => ({ code, message });

/** `full`, or yuan with at most two decimals; whatever else a person may have typed is refused with the reason. */
function parseAmount(text: string): { full: true } | { full: false; fen: number } | Failure {
  if (text === "") return fail("AMOUNT_MISSING", msg("outcomes.bulk.validate.AMOUNT_MISSING"));
  if (/^full$/i.test(text) || text === "全额") return { full: true };
  const parsed = parseYuan(text);
  if (parsed.ok) return { full: false, fen: parsed.value };
  return parsed.error === "TOO_MANY_DECIMALS"
    ? fail("AMOUNT_FORMAT", msg("outcomes.bulk.validate.TOO_MANY_DECIMALS", { text }))
    : fail("AMOUNT_FORMAT", msg("outcomes.bulk.validate.NOT_AN_AMOUNT", { text }));
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
      if (line.outTradeNo === "") return fail("ORDER_NO_MISSING", msg("outcomes.bulk.validate.ORDER_NO_MISSING"));
      if ("code" in amount) return amount;
      if (!reasonFits(line.reason)) {
        return fail("REASON_TOO_LONG", reasonTooLongMessage(line.reason));
      }
      if (line.extraColumns) {
        return fail("EXTRA_COLUMNS", msg("outcomes.bulk.validate.EXTRA_COLUMNS"));
      }
      const key = [line.outTradeNo, amount.full ? "full" : amount.fen, line.reason].join("\u0000");
      const first = seen.get(key);
      if (first !== undefined) {
        return fail("DUPLICATE_LINE", msg("outcomes.bulk.validate.DUPLICATE_LINE", { first }));
      }
      seen.set(key, line.lineNo);
      if (!order) return fail("ORDER_NOT_FOUND", msg("outcomes.bulk.validate.ORDER_NOT_FOUND"));
      if (remainingFen(order) === 0) {
        return fail("ORDER_FULLY_REFUNDED", msg("outcomes.bulk.validate.ORDER_FULLY_REFUNDED"));
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
              msg("outcomes.bulk.validate.REFUND_LIMIT_REACHED", { rows, max: MAX_REFUNDS_PER_ORDER }),
            )
          : fail(
              "AMOUNT_EXCEEDS_REMAINING",
              msg("outcomes.bulk.validate.AMOUNT_EXCEEDS_REMAINING", {
                rows,
                claimed: formatFen(earlier.fen),
                remaining: formatFen(remainingFen(sums)),
                amount: formatFen(fen),
              }),
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
