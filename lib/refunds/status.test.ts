import { describe, expect, it } from "vitest";
import type { RefundStatus } from "../db/schema";
import { sumRefunds } from "./status";

const r = (status: RefundStatus, amountFen: number) => ({ status, amountFen });

describe("sumRefunds", () => {
  it.each([
    { refunds: [], expected: { refundedFen: 0, inFlightFen: 0, refundCount: 0 } },
    { refunds: [r("SUCCESS", 1000), r("SUCCESS", 1)], expected: { refundedFen: 1001, inFlightFen: 0, refundCount: 2 } },
    {
      refunds: [r("PENDING", 100), r("PROCESSING", 200), r("ABNORMAL", 300), r("AWAITING_APPROVAL", 400)],
      expected: { refundedFen: 0, inFlightFen: 1000, refundCount: 4 },
    },
    // Closed and failed refunds release their amount but keep their place among the 50.
    { refunds: [r("CLOSED", 500), r("FAILED", 700)], expected: { refundedFen: 0, inFlightFen: 0, refundCount: 2 } },
    // An approver's rejection never reached WeChat: no amount, no place.
    {
      refunds: [r("REJECTED", 900), r("SUCCESS", 100)],
      expected: { refundedFen: 100, inFlightFen: 0, refundCount: 1 },
    },
  ])("$expected", ({ refunds, expected }) => {
    expect(sumRefunds(refunds)).toEqual(expected);
  });
});
