import type { RefundStatus } from "../db/schema";
import { countsTowardCap, isInFlight, type OrderSums } from "./status";

/**
 * The refund state machine. Status only moves forward; a late or repeated report never moves it back.
 * - FAILED → PENDING is an operator's retry under the same out_refund_no (e.g. after NOT_ENOUGH was fixed);
 *   FAILED → AWAITING_APPROVAL the same retry above the approval threshold.
 * - ABNORMAL → PROCESSING happens only through an abnormal-refund application.
 */
const NEXT: Record<RefundStatus, readonly RefundStatus[]> = {
  AWAITING_APPROVAL: ["PENDING", "REJECTED"],
  PENDING: ["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL", "FAILED"],
  PROCESSING: ["SUCCESS", "CLOSED", "ABNORMAL"],
  ABNORMAL: ["PROCESSING", "SUCCESS", "CLOSED"],
  FAILED: ["PENDING", "AWAITING_APPROVAL"],
  SUCCESS: [],
  CLOSED: [],
  REJECTED: [],
};

export function canTransition(from: RefundStatus, to: RefundStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * Whether a status reported by WeChat (callback, query or answer) moves the refund forward. Reports never move a
 * refund back, so a PROCESSING seen after ABNORMAL, or anything after SUCCESS or CLOSED, is stale.
 */
export function isForwardReport(
  from: RefundStatus,
  reported: "PROCESSING" | "SUCCESS" | "CLOSED" | "ABNORMAL",
): boolean {
  if (from === "ABNORMAL" && reported === "PROCESSING") return false;
  return canTransition(from, reported);
}

/** How an order's cached sums change when one of its refunds moves from one status to another. */
export function sumsDelta(amountFen: number, from: RefundStatus | null, to: RefundStatus): OrderSums {
  const weight = (status: RefundStatus | null) => ({
    refundedFen: status === "SUCCESS" ? amountFen : 0,
    inFlightFen: status && isInFlight(status) ? amountFen : 0,
    refundCount: status && countsTowardCap(status) ? 1 : 0,
  });
  const before = weight(from);
  const after = weight(to);
  return {
    refundedFen: after.refundedFen - before.refundedFen,
    inFlightFen: after.inFlightFen - before.inFlightFen,
    refundCount: after.refundCount - before.refundCount,
  };
}
