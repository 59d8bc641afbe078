import { describe, expect, it } from "vitest";
import { approvalReason } from "./threshold";

const THRESHOLD = 100_000; // ¥1,000.00, the default

describe("approvalReason", () => {
  it.each([
    { name: "small refund of an untouched order", refunded: 0, inFlight: 0, amount: 500, expected: null },
    { name: "exactly the threshold", refunded: 0, inFlight: 0, amount: 100_000, expected: null },
    {
      name: "one fen above the threshold",
      refunded: 0,
      inFlight: 0,
      amount: 100_001,
      expected: "AMOUNT_ABOVE_THRESHOLD",
    },
    {
      name: "far above the threshold",
      refunded: 0,
      inFlight: 0,
      amount: 5_000_000,
      expected: "AMOUNT_ABOVE_THRESHOLD",
    },
    {
      name: "partial refunds reach the threshold exactly",
      refunded: 60_000,
      inFlight: 30_000,
      amount: 10_000,
      expected: null,
    },
    {
      name: "partial refunds cross the threshold",
      refunded: 60_000,
      inFlight: 30_000,
      amount: 10_001,
      expected: "ORDER_REFUNDS_ABOVE_THRESHOLD",
    },
    {
      name: "already refunded beyond the threshold: every further refund waits",
      refunded: 150_000,
      inFlight: 0,
      amount: 1,
      expected: "ORDER_REFUNDS_ABOVE_THRESHOLD",
    },
    {
      name: "awaiting approval counts (it is in flight)",
      refunded: 0,
      inFlight: 99_999,
      amount: 2,
      expected: "ORDER_REFUNDS_ABOVE_THRESHOLD",
    },
    {
      name: "large on its own wins over the order rule",
      refunded: 90_000,
      inFlight: 0,
      amount: 200_000,
      expected: "AMOUNT_ABOVE_THRESHOLD",
    },
  ])("$name", ({ refunded, inFlight, amount, expected }) => {
    expect(approvalReason({ refundedFen: refunded, inFlightFen: inFlight }, amount, THRESHOLD)).toBe(expected);
  });

  it("a zero threshold sends every refund to an approver", () => {
    expect(approvalReason({ refundedFen: 0, inFlightFen: 0 }, 1, 0)).toBe("AMOUNT_ABOVE_THRESHOLD");
  });
});
