import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { billYuanToFen, parseRefundBill, readBillFile, BILL_COLUMNS, BILL_SUMMARY_COLUMNS } from "./bill-file";

const marked = (values: string[]) => values.map((v) => `\`${v}`).join(",");
const line = (over: Partial<Record<(typeof BILL_COLUMNS)[number], string>>) =>
  marked(
    BILL_COLUMNS.map(
      (c) =>
        over[c] ??
        (
          { 退款状态: "SUCCESS", 退款金额: "0.00", 充值券退款金额: "0.00", 申请退款金额: "0.00" } as Record<
            string,
            string
          >
        )[c] ??
        "",
    ),
  );

const BILL = [
  `\uFEFF${BILL_COLUMNS.join(",")}`,
  line({
    交易时间: "2026-11-20 10:00:05",
    微信订单号: "4200000001",
    商户订单号: "T1001",
    微信退款单号: "50300001",
    商户退款单号: "R1",
    退款金额: "10.00",
    申请退款金额: "12.34",
    充值券退款金额: "2.34",
    手续费: "-0.06",
  }),
  line({ 商户退款单号: "R2", 退款金额: "0.01", 申请退款金额: "0.01", 退款状态: "REFUNDCLOSE" }),
  BILL_SUMMARY_COLUMNS.join(","),
  marked(["2", "0.00", "10.01", "2.34", "-0.06", "0.00", "12.35"]),
  "",
].join("\r\n");

describe("parseRefundBill", () => {
  it("reads lines by column name, strips the backticks and the BOM, and turns yuan into fen", () => {
    const parsed = parseRefundBill(BILL);
    expect(parsed.ok && parsed.value.lines).toEqual([
      expect.objectContaining({
        lineNo: 1,
        outRefundNo: "R1",
        refundId: "50300001",
        outTradeNo: "T1001",
        transactionId: "4200000001",
        refundFen: 1234,
        settlementRefundFen: 1000,
        couponRefundFen: 234,
        refundStatus: "SUCCESS",
      }),
      expect.objectContaining({
        lineNo: 2,
        outRefundNo: "R2",
        refundId: null,
        refundFen: 1,
        refundStatus: "REFUNDCLOSE",
      }),
    ]);
    expect(parsed.ok && parsed.value.lines[0]?.raw["交易时间"]).toBe("2026-11-20 10:00:05");
    expect(parsed.ok && parsed.value.totals).toEqual({
      lineCount: 2,
      settlementRefundFen: 1001,
      couponRefundFen: 234,
      refundFen: 1235,
      feeFen: -6,
    });
  });

  it.each([
    ["no header", "a,b\r\n`1,`2", "no bill header with 商户退款单号"],
    ["no summary", BILL.split("总交易单数")[0]!, "no summary section"],
    ["a summary that counts other lines", BILL.replace("`2,`0.00", "`3,`0.00"), "summary counts 3 lines"],
    ["a short line", BILL.replace(",`R2,", ","), "columns"],
    ["an amount that is not yuan", BILL.replace("`12.34", "`12.345"), "TOO_MANY_DECIMALS"],
  ])("refuses a bill with %s", (_, text, message) => {
    const parsed = parseRefundBill(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatchObject({
      code: "BILL_INVALID",
      detail: expect.stringContaining(message),
    });
  });
});

describe("billYuanToFen", () => {
  it.each([
    ["0.01", 1],
    ["12.3", 1230],
    ["-0.06", -6],
    ["1000000.00", 100_000_000],
    // Fees are rounded to fen and padded with three zeros (WeChat's documented sample: `0.00000`, `-0.06000`).
    ["0.00000", 0],
    ["-0.06000", -6],
  ])("%s yuan is %i fen", (text, fen) => expect(billYuanToFen(text)).toEqual({ ok: true, value: fen }));
});

describe("billYuanToFen refuses", () => {
  it.each([["0.001"], ["0.00001"], ["1e3"], [""]])("%j", (text) => expect(billYuanToFen(text).ok).toBe(false));
});

describe("readBillFile", () => {
  const sha1 = createHash("sha1").update(BILL, "utf8").digest("hex");

  it("gunzips a GZIP bill and checks the SHA1 of the uncompressed file", () => {
    const read = readBillFile(gzipSync(Buffer.from(BILL)), { hashType: "SHA1", hashValue: sha1.toUpperCase() });
    expect(read.ok && read.value.lines.map((l) => l.outRefundNo)).toEqual(["R1", "R2"]);
  });

  it("reads a plain bill too", () => {
    expect(readBillFile(Buffer.from(BILL), { hashType: "SHA1", hashValue: sha1 }).ok).toBe(true);
  });

  it("refuses a bill whose hash does not match", () => {
    const read = readBillFile(gzipSync(Buffer.from(BILL)), { hashType: "SHA1", hashValue: "0".repeat(40) });
    expect(read).toMatchObject({ ok: false, error: { kind: "verification", code: "BILL_HASH_MISMATCH" } });
  });

  it("refuses a truncated gzip file", () => {
    const gz = gzipSync(Buffer.from(BILL));
    expect(readBillFile(gz.subarray(0, gz.length - 10))).toMatchObject({ ok: false, error: { code: "BILL_INVALID" } });
  });
});
