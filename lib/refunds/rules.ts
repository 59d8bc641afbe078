import type { BilingualText } from "../i18n-text";
import { formatFen } from "../money";
import { err, ok, type Result } from "../result";
import { MAX_REFUNDS_PER_ORDER, remainingFen } from "./status";
import { refundWindow } from "./window";

export type RefundRuleCode = "INVALID_AMOUNT" | "AMOUNT_EXCEEDS_REMAINING" | "REFUND_LIMIT_REACHED" | "ORDER_TOO_OLD";

export interface RefundRuleViolation {
  code: RefundRuleCode;
  message: BilingualText;
}

export interface OrderForRules {
  totalFen: number;
  refundedFen: number;
  inFlightFen: number;
  refundCount: number;
  paidAt: Date;
}

/**
 * WeChat's rules for a new refund of an order, checked in the order of what an operator can act on:
 * the one-year window, the 50-refund cap, then the amount against what remains.
 * The caller holds the order's row lock, so the sums cannot change between this check and the insert.
 */
export function checkNewRefund(order: OrderForRules, amountFen: number, now: Date): Result<void, RefundRuleViolation> {
  if (refundWindow(order.paidAt, now).closed) {
    return err({
      code: "ORDER_TOO_OLD",
      message: {
        zh: "该订单支付已超过一年，微信支付不再受理退款。",
        en: "Paid more than a year ago: WeChat Pay no longer accepts refunds for this order.",
      },
    });
  }
  if (order.refundCount >= MAX_REFUNDS_PER_ORDER) {
    return err({
      code: "REFUND_LIMIT_REACHED",
      message: {
        zh: `该订单已有 ${MAX_REFUNDS_PER_ORDER} 笔退款，已达微信支付上限。`,
        en: `This order already has ${MAX_REFUNDS_PER_ORDER} refunds, WeChat Pay's limit.`,
      },
    });
  }
  if (!Number.isSafeInteger(amountFen) || amountFen < 1) {
    return err({
      code: "INVALID_AMOUNT",
      message: { zh: "退款金额至少为 ¥0.01。", en: "A refund must be at least ¥0.01." },
    });
  }
  const remaining = remainingFen(order);
  if (amountFen > remaining) {
    return err({
      code: "AMOUNT_EXCEEDS_REMAINING",
      message:
        remaining === 0
          ? { zh: "该订单已无可退金额。", en: "Nothing remains to be refunded on this order." }
          : {
              zh: `${formatFen(amountFen)} 超过了剩余可退金额 ${formatFen(remaining)}。`,
              en: `${formatFen(amountFen)} is more than the ${formatFen(remaining)} remaining.`,
            },
    });
  }
  return ok(undefined);
}
