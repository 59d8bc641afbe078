import { describe, expect, it } from "vitest";
import { refundEventType } from "./events";

describe("refundEventType", () => {
  it.each([
    [null, "PENDING", "refund.created"],
    [null, "AWAITING_APPROVAL", "refund.created"],
    ["PROCESSING", "SUCCESS", "refund.succeeded"],
    ["PROCESSING", "CLOSED", "refund.closed"],
    ["PROCESSING", "ABNORMAL", "refund.abnormal"],
    ["PENDING", "FAILED", "refund.failed"],
    ["ABNORMAL", "SUCCESS", "refund.succeeded"],
    ["PENDING", "PROCESSING", null],
    ["AWAITING_APPROVAL", "PENDING", null],
    ["AWAITING_APPROVAL", "REJECTED", null],
    ["SUCCESS", "SUCCESS", null],
  ] as const)("%s → %s is %s", (from, to, type) => {
    expect(refundEventType(from, to)).toBe(type);
  });
});
