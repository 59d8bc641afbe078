import { describe, expect, it } from "vitest";
import {
  approvalReason,
  checkDailyLimit,
  checkNewRefund,
  nextSubmissionAt,
  refundWindow,
  remainingFen,
  type OrderForRules,
} from "./policy";
import { translate } from "../translate";

describe("remainingFen", () => {
  it.each([
    [{ totalFen: 1050, refundedFen: 0, inFlightFen: 0 }, 1050],
    [{ totalFen: 1050, refundedFen: 500, inFlightFen: 300 }, 250],
    [{ totalFen: 1050, refundedFen: 1050, inFlightFen: 0 }, 0],
  ])("%j leaves %i fen", (order, expected) => expect(remainingFen(order)).toBe(expected));
});

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
    expect(translate(result.error.message, "en")).toContain(text);
    expect(translate(result.error.message, "zh-CN").length).toBeGreaterThan(0);
  });
});

describe("refundWindow", () => {
  const paidAt = new Date("2024-03-10T12:00:00+08:00");

  it("counts whole days left, rounding up", () => {
    expect(refundWindow(paidAt, new Date("2024-03-10T12:00:00+08:00"))).toMatchObject({ daysLeft: 365, closed: false });
    expect(refundWindow(paidAt, new Date("2025-03-10T11:59:59+08:00"))).toMatchObject({ daysLeft: 1, closed: false });
  });

  it("closes one calendar year after payment", () => {
    const w = refundWindow(paidAt, new Date("2025-03-10T12:00:00+08:00"));
    expect(w).toMatchObject({ daysLeft: 0, closed: true });
    expect(w.closesAt.toISOString()).toBe("2025-03-10T04:00:00.000Z");
    expect(refundWindow(paidAt, new Date("2026-01-01T00:00:00+08:00")).daysLeft).toBe(0);
  });

  it("spans a leap day as a calendar year", () => {
    expect(refundWindow(new Date("2024-01-10T00:00:00Z"), new Date("2024-01-10T00:00:00Z")).daysLeft).toBe(366);
  });
});

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

describe("checkDailyLimit", () => {
  it.each([
    { used: 0, amount: 10_000, limit: null, ok: true },
    { used: 0, amount: 10_000, limit: 10_000, ok: true },
    { used: 5_000, amount: 5_001, limit: 10_000, ok: false },
    { used: 12_000, amount: 1, limit: 10_000, ok: false },
    { used: 0, amount: 1, limit: 0, ok: false },
  ])("used $used + $amount against $limit → ok $ok", ({ used, amount, limit, ok }) => {
    expect(checkDailyLimit(used, amount, limit).ok).toBe(ok);
  });

  it("names the amounts in both languages", () => {
    const result = checkDailyLimit(80_000, 30_000, 100_000);
    expect(result).toMatchObject({ ok: false, error: { code: "DAILY_LIMIT_EXCEEDED" } });
    if (result.ok) return;
    expect(translate(result.error.message, "en")).toBe(
      "Over your daily refund limit: ¥800.00 requested today, limit ¥1,000.00, this refund ¥300.00, ¥200.00 left today.",
    );
    expect(translate(result.error.message, "zh-CN")).toBe(
      "超出您的每日退款限额：今日已申请 ¥800.00，限额 ¥1,000.00，本次 ¥300.00，今日剩余额度 ¥200.00。",
    );
  });
});

describe("nextSubmissionAt", () => {
  const now = new Date("2026-11-23T10:00:00+08:00");
  const at = (iso: string) => new Date(iso);
  it.each([
    ["the order's first refund: now", null, 60_000, now],
    ["the previous one a minute ago or longer: now", at("2026-11-23T09:59:00+08:00"), 60_000, now],
    [
      "the previous one 20 s ago: 40 s from now",
      at("2026-11-23T09:59:40+08:00"),
      60_000,
      at("2026-11-23T10:00:40+08:00"),
    ],
    [
      "the previous one due in 30 s: a minute after it",
      at("2026-11-23T10:00:30+08:00"),
      60_000,
      at("2026-11-23T10:01:30+08:00"),
    ],
    ["no spacing (tests): now", at("2026-11-23T10:00:00+08:00"), 0, now],
  ])("%s", (_label, previous, intervalMs, expected) => {
    expect(nextSubmissionAt(previous, intervalMs, now)).toEqual(expected);
  });
});
