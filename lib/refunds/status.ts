import type { RefundStatus } from "../db/schema";

/** Refunds whose amount is still owed to the payer or on its way: reserved against the order's remaining. */
export const IN_FLIGHT_STATUSES: readonly RefundStatus[] = ["AWAITING_APPROVAL", "PENDING", "PROCESSING", "ABNORMAL"];
/** Final states: nothing will change them any more (FAILED may still be retried by an operator with the same number). */
export const FINAL_STATUSES: readonly RefundStatus[] = ["SUCCESS", "CLOSED", "FAILED", "REJECTED"];
/** Refunds that release their amount: WeChat closed them, WeChat finally refused them, or an approver refused them. */
export const RELEASED_STATUSES: readonly RefundStatus[] = ["CLOSED", "FAILED", "REJECTED"];

export function isInFlight(status: RefundStatus): boolean {
  return IN_FLIGHT_STATUSES.includes(status);
}

export function isFinal(status: RefundStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/**
 * Whether a refund takes one of the order's 50 places. An approver's rejection never reached WeChat, so it does not;
 * a refund WeChat refused keeps its number (it is retried under the same number), so it counts once.
 */
export function countsTowardCap(status: RefundStatus): boolean {
  return status !== "REJECTED";
}

export interface OrderSums {
  refundedFen: number;
  inFlightFen: number;
  refundCount: number;
}

/** The cached sums of an order, computed from its refunds. */
export function sumRefunds(refunds: readonly { status: RefundStatus; amountFen: number }[]): OrderSums {
  let refundedFen = 0;
  let inFlightFen = 0;
  let refundCount = 0;
  for (const r of refunds) {
    if (r.status === "SUCCESS") refundedFen += r.amountFen;
    else if (isInFlight(r.status)) inFlightFen += r.amountFen;
    if (countsTowardCap(r.status)) refundCount += 1;
  }
  return { refundedFen, inFlightFen, refundCount };
}
