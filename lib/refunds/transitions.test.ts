import { describe, expect, it } from "vitest";
import { canTransition, isForwardReport, sumsDelta } from "./transitions";

describe("refund state machine", () => {
  it.each([
    ["PENDING", "PROCESSING", true],
    ["PENDING", "FAILED", true],
    ["PROCESSING", "SUCCESS", true],
    ["PROCESSING", "CLOSED", true],
    ["PROCESSING", "ABNORMAL", true],
    ["ABNORMAL", "SUCCESS", true],
    ["FAILED", "PENDING", true],
    ["FAILED", "AWAITING_APPROVAL", true],
    ["FAILED", "PROCESSING", false],
    ["AWAITING_APPROVAL", "REJECTED", true],
    ["SUCCESS", "CLOSED", false],
    ["CLOSED", "SUCCESS", false],
    ["SUCCESS", "PROCESSING", false],
    ["PROCESSING", "PENDING", false],
    ["REJECTED", "PENDING", false],
    ["AWAITING_APPROVAL", "PROCESSING", false],
  ] as const)("%s → %s: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it.each([
    ["PROCESSING", "SUCCESS", true],
    ["PENDING", "SUCCESS", true],
    ["SUCCESS", "CLOSED", false],
    ["CLOSED", "SUCCESS", false],
    ["SUCCESS", "SUCCESS", false],
    ["ABNORMAL", "PROCESSING", false],
    ["ABNORMAL", "SUCCESS", true],
    ["PROCESSING", "PROCESSING", false],
  ] as const)("a report of %s → %s moves forward: %s", (from, reported, forward) => {
    expect(isForwardReport(from, reported)).toBe(forward);
  });

  it.each([
    [null, "PENDING", { refundedFen: 0, inFlightFen: 500, refundCount: 1 }],
    ["PENDING", "PROCESSING", { refundedFen: 0, inFlightFen: 0, refundCount: 0 }],
    ["PROCESSING", "SUCCESS", { refundedFen: 500, inFlightFen: -500, refundCount: 0 }],
    ["PROCESSING", "CLOSED", { refundedFen: 0, inFlightFen: -500, refundCount: 0 }],
    ["PENDING", "FAILED", { refundedFen: 0, inFlightFen: -500, refundCount: 0 }],
    ["FAILED", "PENDING", { refundedFen: 0, inFlightFen: 500, refundCount: 0 }],
    ["FAILED", "AWAITING_APPROVAL", { refundedFen: 0, inFlightFen: 500, refundCount: 0 }],
    ["AWAITING_APPROVAL", "REJECTED", { refundedFen: 0, inFlightFen: -500, refundCount: -1 }],
    ["ABNORMAL", "SUCCESS", { refundedFen: 500, inFlightFen: -500, refundCount: 0 }],
  ] as const)("%s → %s changes the order's sums by %j", (from, to, delta) => {
    expect(sumsDelta(500, from, to)).toEqual(delta);
  });
});
