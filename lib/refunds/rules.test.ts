import { describe, expect, it } from "vitest";
import { checkNewRefund, type OrderForRules } from "./rules";

const now = new Date("2026-11-23T10:00:00+08:00");
const order = (over: Partial<OrderForRules> = {}): OrderForRules => ({
  totalFen: 1050,
  refundedFen: 0,
  inFlightFen: 0,
  refundCount: 0,
  paidAt: new Date("2026-10-01T12:00:00+08:00"),
  ...over,
});

describe("checkNewRefund", () => {
  it.each([
    ["the whole order", order(), 1050],
    ["one fen", order(), 1],
    ["exactly what remains after a refund and one in flight", order({ refundedFen: 500, inFlightFen: 300 }), 250],
    ["the 50th refund", order({ refundCount: 49, refundedFen: 49 }), 1],
    ["on the last day of the year", order({ paidAt: new Date("2025-11-23T10:00:01+08:00") }), 100],
  ])("allows %s", (_label, o, amount) => {
    expect(checkNewRefund(o, amount, now)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ["zero", order(), 0, "INVALID_AMOUNT", "at least ¥0.01"],
    ["a negative amount", order(), -5, "INVALID_AMOUNT", "at least ¥0.01"],
    ["a fraction of a fen", order(), 0.5, "INVALID_AMOUNT", "at least ¥0.01"],
    ["more than the total", order(), 1051, "AMOUNT_EXCEEDS_REMAINING", "¥10.51 is more than the ¥10.50 remaining"],
    [
      "more than remains",
      order({ refundedFen: 1000 }),
      1200,
      "AMOUNT_EXCEEDS_REMAINING",
      "¥12.00 is more than the ¥0.50 remaining",
    ],
    [
      "anything when an in-flight refund holds the rest",
      order({ inFlightFen: 1050 }),
      1,
      "AMOUNT_EXCEEDS_REMAINING",
      "Nothing remains",
    ],
    ["a 51st refund", order({ refundCount: 50 }), 1, "REFUND_LIMIT_REACHED", "already has 50 refunds"],
    [
      "an order paid more than a year ago",
      order({ paidAt: new Date("2025-11-23T09:59:59+08:00") }),
      1,
      "ORDER_TOO_OLD",
      "Paid more than a year ago",
    ],
  ])("refuses %s", (_label, o, amount, code, text) => {
    const result = checkNewRefund(o, amount, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message.en).toContain(text);
    expect(result.error.message.zh.length).toBeGreaterThan(0);
  });
});
