import { describe, expect, it } from "vitest";
import type { BillLine } from "../wechatpay/bill-file";
import { compareBill, type ConsoleRefund } from "./compare";
import { nextAttemptAfter } from "./run";

const line = (outRefundNo: string, over: Partial<BillLine> = {}): BillLine => ({
  lineNo: 1,
  outTradeNo: "T1",
  transactionId: "4200",
  outRefundNo,
  refundId: "5030",
  refundFen: 100,
  settlementRefundFen: 100,
  couponRefundFen: 0,
  refundStatus: "SUCCESS",
  raw: {},
  ...over,
});
const refund = (outRefundNo: string, over: Partial<ConsoleRefund> = {}): ConsoleRefund => ({
  id: 1,
  outRefundNo,
  status: "SUCCESS",
  amountFen: 100,
  finishedAt: null,
  ...over,
});

describe("compareBill", () => {
  it.each([
    ["a line and a successful refund that agree", [line("R1")], [refund("R1")], [refund("R1")], []],
    ["a refund the bill lacks", [], [], [refund("R1")], ["MISSING_FROM_BILL R1"]],
    [
      "a refund the bill shows closed",
      [line("R1", { refundStatus: "REFUNDCLOSE" })],
      [refund("R1")],
      [refund("R1")],
      ["MISSING_FROM_BILL R1"],
    ],
    [
      "a success the console has as processing",
      [line("R1")],
      [refund("R1", { status: "PROCESSING" })],
      [],
      ["NOT_SUCCESS_IN_CONSOLE R1"],
    ],
    [
      "a success the console has as closed",
      [line("R1")],
      [refund("R1", { status: "CLOSED" })],
      [],
      ["NOT_SUCCESS_IN_CONSOLE R1"],
    ],
    ["a line the console never requested", [line("BYHAND")], [], [], ["UNKNOWN_TO_CONSOLE BYHAND"]],
    ["another refund amount", [line("R1", { refundFen: 99 })], [refund("R1")], [refund("R1")], ["AMOUNT_DIFFERS R1"]],
    [
      "a coupon refund",
      [line("R1", { settlementRefundFen: 80, couponRefundFen: 20 })],
      [refund("R1")],
      [refund("R1")],
      ["AMOUNT_DIFFERS R1"],
    ],
    [
      "a processing refund whose amount also differs",
      [line("R1", { refundFen: 1 })],
      [refund("R1", { status: "PROCESSING" })],
      [],
      ["NOT_SUCCESS_IN_CONSOLE R1", "AMOUNT_DIFFERS R1"],
    ],
  ])("%s", (_, lines, known, succeeded, expected) => {
    expect(compareBill(lines, known, succeeded).map((m) => `${m.kind} ${m.outRefundNo}`)).toEqual(expected);
  });
});

describe("nextAttemptAfter", () => {
  const now = new Date("2026-11-21T02:30:00Z");
  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [4, 6],
    [7, 6],
  ])("after attempt %i, waits %i hours", (attempts, hours) => {
    expect(nextAttemptAfter(attempts, now)?.getTime()).toBe(now.getTime() + hours * 3_600_000);
  });
  it("stops retrying by itself after 8 attempts", () => expect(nextAttemptAfter(8, now)).toBeNull());
});
