import type { MismatchKind, RefundStatus } from "../db/schema";
import type { BillLine } from "../wechatpay/bill-file";

/** What the console holds about a refund, for comparing with a bill. */
export interface ConsoleRefund {
  id: number;
  outRefundNo: string;
  status: RefundStatus;
  amountFen: number;
  finishedAt: Date | null;
}

export interface DetectedMismatch {
  kind: MismatchKind;
  outRefundNo: string;
  /** The console's refund row, when there is one. */
  refundId: number | null;
  consoleValue: Record<string, unknown> | null;
  billValue: Record<string, unknown> | null;
}

/** The amount columns compared, as the console expects them and as the bill states them. */
export type Amounts = { refundFen: number; settlementRefundFen: number; couponRefundFen: number };

/**
 * The console requests refunds without coupons: it expects WeChat to refund the whole amount, all of it from
 * settled funds, none of it to recharge coupons. A merchant whose payers use coupons sees the split as a
 * difference to accept.
 */
export function expectedAmounts(amountFen: number): Amounts {
  return { refundFen: amountFen, settlementRefundFen: amountFen, couponRefundFen: 0 };
}

export function billAmounts(line: Pick<BillLine, keyof Amounts>): Amounts {
  return {
    refundFen: line.refundFen,
    settlementRefundFen: line.settlementRefundFen,
    couponRefundFen: line.couponRefundFen,
  };
}

/** The names of the amounts that differ; empty when they agree. */
export function differingAmounts(expected: Amounts, stated: Amounts): (keyof Amounts)[] {
  return (Object.keys(expected) as (keyof Amounts)[]).filter((k) => expected[k] !== stated[k]);
}

const BILL_SUCCESS = "SUCCESS";

/**
 * Compares a day's bill with the console. `known` holds the console's refunds named by the bill (any day);
 * `succeededThatDay` those the console saw succeed on the bill's day.
 * - in the bill, unknown to the console: made by hand in the merchant platform (UNKNOWN_TO_CONSOLE);
 * - successful in the bill, not SUCCESS in the console (NOT_SUCCESS_IN_CONSOLE);
 * - amounts that differ from what the console asked for (AMOUNT_DIFFERS);
 * - SUCCESS in the console that day, without a successful line in the bill (MISSING_FROM_BILL).
 */
export function compareBill(
  lines: readonly BillLine[],
  known: readonly ConsoleRefund[],
  succeededThatDay: readonly ConsoleRefund[],
): DetectedMismatch[] {
  const byNo = new Map(known.map((r) => [r.outRefundNo, r]));
  const found: DetectedMismatch[] = [];
  const confirmed = new Set<string>();
  for (const line of lines) {
    const refund = byNo.get(line.outRefundNo);
    const stated = {
      refundStatus: line.refundStatus,
      refundId: line.refundId,
      outTradeNo: line.outTradeNo,
      time: line.raw["交易时间"] ?? null,
      ...billAmounts(line),
    };
    if (!refund) {
      found.push({
        kind: "UNKNOWN_TO_CONSOLE",
        outRefundNo: line.outRefundNo,
        refundId: null,
        consoleValue: null,
        billValue: stated,
      });
      continue;
    }
    const success = line.refundStatus === BILL_SUCCESS;
    if (success) confirmed.add(line.outRefundNo);
    if (success && refund.status !== "SUCCESS") {
      found.push({
        kind: "NOT_SUCCESS_IN_CONSOLE",
        outRefundNo: line.outRefundNo,
        refundId: refund.id,
        consoleValue: { status: refund.status },
        billValue: stated,
      });
    }
    const expected = expectedAmounts(refund.amountFen);
    const differing = differingAmounts(expected, billAmounts(line));
    if (differing.length > 0) {
      found.push({
        kind: "AMOUNT_DIFFERS",
        outRefundNo: line.outRefundNo,
        refundId: refund.id,
        consoleValue: { ...expected, differing },
        billValue: stated,
      });
    }
  }
  for (const refund of succeededThatDay) {
    if (confirmed.has(refund.outRefundNo)) continue;
    const line = lines.find((l) => l.outRefundNo === refund.outRefundNo);
    found.push({
      kind: "MISSING_FROM_BILL",
      outRefundNo: refund.outRefundNo,
      refundId: refund.id,
      consoleValue: {
        status: refund.status,
        refundFen: refund.amountFen,
        finishedAt: refund.finishedAt?.toISOString() ?? null,
      },
      billValue: line ? { refundStatus: line.refundStatus } : null,
    });
  }
  return found;
}

/** A day's totals as the console counts them: refunds it saw succeed that day. */
export function consoleTotals(succeededThatDay: readonly ConsoleRefund[]): Record<string, number> {
  return { lineCount: succeededThatDay.length, refundFen: succeededThatDay.reduce((sum, r) => sum + r.amountFen, 0) };
}
