/**
 * Maker-checker: which refunds wait for a second person. Pure, so the refund form can tell the operator before
 * submitting (and ask for the password again) with exactly the rule the service applies under the order's lock.
 */

export interface OrderRefundSums {
  refundedFen: number;
  /** Includes refunds awaiting approval: their amount is reserved like any refund in flight. */
  inFlightFen: number;
}

export type ApprovalReason = "AMOUNT_ABOVE_THRESHOLD" | "ORDER_REFUNDS_ABOVE_THRESHOLD";

/**
 * Why a new refund of `amountFen` needs an approver, or null when it does not. Above the threshold on its own, or
 * taking the order's refunds (refunded + in flight + awaiting approval + this one) above it, so that splitting a
 * large refund into small ones does not avoid the second pair of eyes.
 */
export function approvalReason(order: OrderRefundSums, amountFen: number, thresholdFen: number): ApprovalReason | null {
  if (amountFen > thresholdFen) return "AMOUNT_ABOVE_THRESHOLD";
  if (order.refundedFen + order.inFlightFen + amountFen > thresholdFen) return "ORDER_REFUNDS_ABOVE_THRESHOLD";
  return null;
}
