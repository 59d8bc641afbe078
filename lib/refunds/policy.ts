/**
 * Every rule a refund must pass, in one place, as pure functions of the order's state and validated settings
 * (lib/env.ts, the merchant's settings): what remains to refund, the 50-refund cap, the one-year window, the amount,
 * the approval threshold, the operator's daily limit, and the spacing of an order's refunds. The console (pages,
 * actions), the merchant API, bulk runs, retries and the simulator all ask these functions; the services apply
 * them under the order's row lock (request.ts, retry.ts, approval.ts), where the sums cannot move meanwhile.
 */
import { msg, type Message } from "../message";
import { formatFen } from "../money";
import { err, ok, type Result } from "../result";

/** WeChat Pay accepts at most 50 refunds per order (partial refunds included). */
export const MAX_REFUNDS_PER_ORDER = 50;

/** An order's cached sums, as the rules read them. */
export interface OrderRefundSums {
  refundedFen: number;
  /** Includes refunds awaiting approval: their amount is reserved like any refund in flight. */
  inFlightFen: number;
}

/** What may still be refunded: an amount in flight stays reserved until WeChat settles it one way or the other. */
export function remainingFen(o: OrderRefundSums & { totalFen: number }): number {
  return o.totalFen - o.refundedFen - o.inFlightFen;
}

const DAY_MS = 86_400_000;

export interface RefundWindow {
  closesAt: Date;
  /** Whole days left, rounded up so that the last day still reads "1"; 0 once closed. */
  daysLeft: number;
  closed: boolean;
}

/**
 * WeChat Pay refuses refunds of orders paid more than a year ago (v2 TRADE_OVERDUE). A calendar year, not 365 days:
 * Beijing keeps no daylight saving, so adding the year in UTC lands on the same Beijing wall-clock time.
 */
export function refundWindow(paidAt: Date, now: Date): RefundWindow {
  const closesAt = new Date(paidAt);
  closesAt.setUTCFullYear(closesAt.getUTCFullYear() + 1);
  const leftMs = closesAt.getTime() - now.getTime();
  return { closesAt, daysLeft: leftMs > 0 ? Math.ceil(leftMs / DAY_MS) : 0, closed: leftMs <= 0 };
}

export type RefundRuleCode = "INVALID_AMOUNT" | "AMOUNT_EXCEEDS_REMAINING" | "REFUND_LIMIT_REACHED" | "ORDER_TOO_OLD";

export interface RefundRuleViolation {
  code: RefundRuleCode;
  message: Message;
}

export interface OrderForRules extends OrderRefundSums {
  totalFen: number;
  refundCount: number;
  paidAt: Date;
}

/** Whether `amountFen` fits what remains of the order: for a new refund, and for a retry that reserves it again. */
export function checkAmountFits(
  order: OrderRefundSums & { totalFen: number },
  amountFen: number,
): Result<void, RefundRuleViolation> {
  const remaining = remainingFen(order);
  if (amountFen <= remaining) return ok(undefined);
  return err({
    code: "AMOUNT_EXCEEDS_REMAINING",
    message:
      remaining === 0
        ? msg("outcomes.refunds.policy.NOTHING_REMAINS")
        : msg("outcomes.refunds.policy.AMOUNT_EXCEEDS_REMAINING", {
            amount: formatFen(amountFen),
            remaining: formatFen(remaining),
          }),
  });
}

/**
 * WeChat's rules for a new refund of an order, checked in the order of what an operator can act on:
 * the one-year window, the 50-refund cap, then the amount against what remains.
 */
export function checkNewRefund(order: OrderForRules, amountFen: number, now: Date): Result<void, RefundRuleViolation> {
  if (refundWindow(order.paidAt, now).closed) {
    return err({
      code: "ORDER_TOO_OLD",
      message: msg("outcomes.refunds.policy.ORDER_TOO_OLD"),
    });
  }
  if (order.refundCount >= MAX_REFUNDS_PER_ORDER) {
    return err({
      code: "REFUND_LIMIT_REACHED",
      message: msg("outcomes.refunds.policy.REFUND_LIMIT_REACHED", { max: MAX_REFUNDS_PER_ORDER }),
    });
  }
  if (!Number.isSafeInteger(amountFen) || amountFen < 1) {
    return err({
      code: "INVALID_AMOUNT",
      message: msg("outcomes.refunds.policy.INVALID_AMOUNT"),
    });
  }
  return checkAmountFits(order, amountFen);
}

export type ApprovalReason = "AMOUNT_ABOVE_THRESHOLD" | "ORDER_REFUNDS_ABOVE_THRESHOLD";

/**
 * Maker-checker: why a refund of `amountFen` needs an approver, or null when it does not. Above the threshold on its
 * own, or taking the order's refunds (refunded + in flight + awaiting approval + this one) above it, so that
 * splitting a large refund into small ones does not avoid the second pair of eyes. Pure, so the refund form tells the
 * operator before submitting with exactly the rule the service applies.
 */
export function approvalReason(order: OrderRefundSums, amountFen: number, thresholdFen: number): ApprovalReason | null {
  if (amountFen > thresholdFen) return "AMOUNT_ABOVE_THRESHOLD";
  if (order.refundedFen + order.inFlightFen + amountFen > thresholdFen) return "ORDER_REFUNDS_ABOVE_THRESHOLD";
  return null;
}

export interface DailyLimitViolation {
  code: "DAILY_LIMIT_EXCEEDED";
  message: Message;
}

/** Whether `amountFen` fits what is left of an operator's daily limit (null: no limit). */
export function checkDailyLimit(
  usedTodayFen: number,
  amountFen: number,
  limitFen: number | null,
): Result<void, DailyLimitViolation> {
  if (limitFen === null || usedTodayFen + amountFen <= limitFen) return ok(undefined);
  const left = Math.max(0, limitFen - usedTodayFen);
  return err({
    code: "DAILY_LIMIT_EXCEEDED",
    message: msg("outcomes.refunds.policy.DAILY_LIMIT_EXCEEDED", {
      usedToday: formatFen(usedTodayFen),
      limit: formatFen(limitFen),
      amount: formatFen(amountFen),
      left: formatFen(left),
    }),
  });
}

/**
 * WeChat: refunds of one order at least `intervalMs` apart (REFUND_ORDER_INTERVAL_SECONDS, a minute). The earliest
 * moment the next refund of an order may go, given when its previous one went (or is due to go): now, or later.
 */
export function nextSubmissionAt(previous: Date | null, intervalMs: number, now: Date): Date {
  if (!previous) return now;
  const earliest = previous.getTime() + intervalMs;
  return earliest > now.getTime() ? new Date(earliest) : now;
}
