import { describe, expect, it } from "vitest";
import type { BulkLine } from "./csv";
import { validateLines, type OrderForBulk, type ValidationContext } from "./validate";
import { translate } from "../translate";

const now = new Date("2026-06-01T04:00:00Z");
const order = (id: number, over: Partial<OrderForBulk> = {}): OrderForBulk => ({
  id,
  payerOpenid: `payer-${id}`,
  totalFen: 10_000,
  refundedFen: 0,
  inFlightFen: 0,
  refundCount: 0,
  paidAt: new Date("2026-05-01T00:00:00Z"),
  ...over,
});

const ORDERS = new Map<string, OrderForBulk>([
  ["A", order(1)],
  ["B", order(2, { refundedFen: 10_000, refundCount: 1 })],
  ["C", order(3, { paidAt: new Date("2025-05-31T00:00:00Z") })],
  ["D", order(4, { refundCount: 49 })],
  ["E", order(5, { totalFen: 500, refundedFen: 200, refundCount: 1 })],
]);

const context = (over: Partial<ValidationContext> = {}): ValidationContext => ({
  merchantActive: true,
  orders: ORDERS,
  now,
  ...over,
});

let lineNo = 0;
const line = (outTradeNo: string, amountText: string, reason = "", extraColumns = false): BulkLine => ({
  lineNo: ++lineNo,
  outTradeNo,
  amountText,
  reason,
  extraColumns,
});

/** Each line as [status, errorCode, resolved amount]. */
const judge = (lines: BulkLine[], over: Partial<ValidationContext> = {}) =>
  validateLines(lines, context(over)).lines.map((l) => [l.status, l.errorCode, l.amountFen]);

describe("validateLines, one line at a time", () => {
  it.each([
    ["a partial amount", line("A", "12.50"), ["READY", null, 1250]],
    [
      "an amount with ¥ and a thousands separator",
      line("A", "¥1,000.5"),
      ["INVALID", "AMOUNT_EXCEEDS_REMAINING", 100_050],
    ],
    ["an amount with ¥", line("A", "¥50.5"), ["READY", null, 5050]],
    ["full", line("A", "full"), ["READY", null, 10_000]],
    ["FULL in capitals", line("A", "FULL"), ["READY", null, 10_000]],
    ["full of what remains", line("E", "full"), ["READY", null, 300]],
    ["no order number", line("", "1.00"), ["INVALID", "ORDER_NO_MISSING", 100]],
    ["no amount", line("A", ""), ["INVALID", "AMOUNT_MISSING", null]],
    ["three decimals", line("A", "1.005"), ["INVALID", "AMOUNT_FORMAT", null]],
    ["words", line("A", "ten"), ["INVALID", "AMOUNT_FORMAT", null]],
    ["a negative amount", line("A", "-1"), ["INVALID", "AMOUNT_FORMAT", null]],
    ["zero", line("A", "0.00"), ["INVALID", "INVALID_AMOUNT", 0]],
    ["a reason of 81 characters", line("A", "1", "x".repeat(81)), ["INVALID", "REASON_TOO_LONG", 100]],
    // WeChat counts bytes of UTF-8: 26 Chinese characters are 78 bytes, 27 are 81.
    ["a reason of 26 Chinese characters", line("A", "1", "退".repeat(26)), ["READY", null, 100]],
    ["a reason of 27 Chinese characters", line("A", "1", "退".repeat(27)), ["INVALID", "REASON_TOO_LONG", 100]],
    ["extra columns", line("A", "1", "Late", true), ["INVALID", "EXTRA_COLUMNS", 100]],
    ["an unknown order", line("Z", "1"), ["INVALID", "ORDER_NOT_FOUND", 100]],
    ["an order paid more than a year ago", line("C", "1"), ["INVALID", "ORDER_TOO_OLD", 100]],
    ["a fully refunded order", line("B", "1"), ["INVALID", "ORDER_FULLY_REFUNDED", 100]],
    ["more than remains", line("E", "3.01"), ["INVALID", "AMOUNT_EXCEEDS_REMAINING", 301]],
    ["the 50th refund of an order", line("D", "1"), ["READY", null, 100]],
  ])("%s", (_name, input, expected) => {
    expect(judge([input])).toEqual([expected]);
  });

  it("refuses every line of a disabled merchant", () => {
    expect(judge([line("A", "1"), line("E", "1")], { merchantActive: false })).toEqual([
      ["INVALID", "MERCHANT_INACTIVE", 100],
      ["INVALID", "MERCHANT_INACTIVE", 100],
    ]);
  });
});

describe("validateLines across lines of the same order", () => {
  it("counts earlier lines against what remains, and names them", () => {
    const result = validateLines([line("E", "1.00"), line("E", "1.50"), line("E", "0.51")], context());
    expect(result.lines.map((l) => [l.status, l.errorCode])).toEqual([
      ["READY", null],
      ["READY", null],
      ["INVALID", "AMOUNT_EXCEEDS_REMAINING"],
    ]);
    expect(translate(result.lines[2]!.errorMessage!, "en")).toContain(
      `Lines ${result.lines[0]!.lineNo}, ${result.lines[1]!.lineNo} of this file already refund ¥2.50`,
    );
    expect(result).toMatchObject({ validRows: 2, validAmountFen: 250 });
  });

  it("resolves full as what the earlier lines leave, and refuses full once nothing is left", () => {
    expect(judge([line("E", "1.00"), line("E", "full"), line("E", "full", "again")])).toEqual([
      ["READY", null, 100],
      ["READY", null, 200],
      ["INVALID", "AMOUNT_EXCEEDS_REMAINING", null],
    ]);
  });

  it("counts earlier lines against the 50-refund cap", () => {
    const result = validateLines([line("D", "1"), line("D", "2")], context());
    expect(result.lines.map((l) => [l.status, l.errorCode])).toEqual([
      ["READY", null],
      ["INVALID", "REFUND_LIMIT_REACHED"],
    ]);
    expect(translate(result.lines[1]!.errorMessage!, "zh-CN")).toContain("加上本文件第");
  });

  it("does not let an invalid line use up the order", () => {
    expect(judge([line("E", "9"), line("E", "3")])).toEqual([
      ["INVALID", "AMOUNT_EXCEEDS_REMAINING", 900],
      ["READY", null, 300],
    ]);
  });

  it("refuses a repeated line (same order, amount and reason) but not the same order with another reason", () => {
    const result = validateLines(
      [line("A", "1.00", "Late"), line("A", "1", "Late"), line("A", "1.00", "Damaged")],
      context(),
    );
    expect(result.lines.map((l) => [l.status, l.errorCode])).toEqual([
      ["READY", null],
      ["INVALID", "DUPLICATE_LINE"],
      ["READY", null],
    ]);
    expect(translate(result.lines[1]!.errorMessage!, "en")).toBe(
      `Same as line ${result.lines[0]!.lineNo} (same out_trade_no, amount and reason).`,
    );
  });

  it("keeps each line's order and payer for the run", () => {
    const [first] = validateLines([line("A", "1")], context()).lines;
    expect(first).toMatchObject({ orderId: 1, payerOpenid: "payer-1", full: false });
  });
});
