import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { BulkRow } from "../db/schema";
import { msg } from "../message";
import type { BatchRowView } from "./queries";
import { resultsCsv } from "./results-csv";

const row = (over: Partial<BulkRow>): BulkRow => ({
  id: 1,
  batchId: 1,
  lineNo: 2,
  outTradeNo: "T1",
  amountText: "full",
  full: true,
  amountFen: 123_456,
  reason: "缺货, 见邮件",
  orderId: 1,
  payerOpenid: null,
  outRefundNo: "R20261123ABC",
  status: "REQUESTED",
  errorCode: null,
  errorMessage: null,
  refundId: 9,
  processedAt: null,
  ...over,
});

const rows: BatchRowView[] = [
  { row: row({}), refundStatus: "FAILED", refundErrorCode: "NOT_ENOUGH", refundErrorMessage: "基本账户余额不足" },
  {
    row: row({
      lineNo: 3,
      outTradeNo: "NOPE",
      amountText: "1.5",
      full: false,
      amountFen: 150,
      reason: "",
      outRefundNo: null,
      status: "INVALID",
      refundId: null,
      errorCode: "ORDER_NOT_FOUND",
      errorMessage: msg("outcomes.bulk.validate.ORDER_NOT_FOUND"),
    }),
    refundStatus: null,
    refundErrorCode: null,
    refundErrorMessage: null,
  },
  {
    row: row({
      lineNo: 4,
      amountText: "1.005",
      full: false,
      amountFen: null,
      status: "INVALID",
      outRefundNo: "R-unused",
      refundId: null,
      errorCode: "AMOUNT_FORMAT",
      errorMessage: msg("outcomes.bulk.validate.TOO_MANY_DECIMALS", { text: "1.005" }),
    }),
    refundStatus: null,
    refundErrorCode: null,
    refundErrorMessage: null,
  },
];

describe("resultsCsv", () => {
  it("writes UTF-8 with a BOM, amounts in yuan with two decimals, errors in the reader's language", () => {
    const csv = resultsCsv(rows, "zh-CN");
    expect(
      csv.startsWith(
        "\uFEFFline,out_trade_no,amount,reason,row_status,out_refund_no,refund_status,error_code,error_message\r\n",
      ),
    ).toBe(true);
    // The header is pinned, to the byte, by the line above; these are the lines under it.
    expect(parse(csv, { bom: true }).slice(1)).toEqual([
      ["2", "T1", "1234.56", "缺货, 见邮件", "REQUESTED", "R20261123ABC", "FAILED", "NOT_ENOUGH", "基本账户余额不足"],
      ["3", "NOPE", "1.50", "", "INVALID", "", "", "ORDER_NOT_FOUND", "该商户下找不到此商户订单号的订单。"],
      [
        "4",
        "T1",
        "1.005",
        "缺货, 见邮件",
        "INVALID",
        "",
        "",
        "AMOUNT_FORMAT",
        "金额“1.005”超过两位小数（最小单位为分）。",
      ],
    ]);
    expect(parse(resultsCsv(rows, "en"), { bom: true, columns: true })[1]).toMatchObject({
      error_message: "No order with this out_trade_no for this merchant.",
    });
  });

  it("neutralises cells a spreadsheet would run, whatever column they come from (the uploaded file included)", () => {
    const hostile = row({
      outTradeNo: "-1+cmd",
      amountText: "=1+1",
      full: false,
      amountFen: null,
      reason: "@SUM(1)",
      status: "INVALID",
      errorCode: "AMOUNT_FORMAT",
      errorMessage: msg("outcomes.refunds.policy.AMOUNT_EXCEEDS_REMAINING", { amount: "=1+1", remaining: "¥1.00" }),
    });
    const [, line] = parse(
      resultsCsv([{ row: hostile, refundStatus: null, refundErrorCode: null, refundErrorMessage: null }], "en"),
      { bom: true },
    );
    expect(line).toEqual([
      "2",
      "'-1+cmd",
      "'=1+1",
      "'@SUM(1)",
      "INVALID",
      "",
      "",
      "AMOUNT_FORMAT",
      "'=1+1 is more than the ¥1.00 remaining.",
    ]);
  });
});
