import { describe, expect, it } from "vitest";
import { parseBulkCsv } from "./csv";
import { MAX_BULK_BYTES, MAX_BULK_ROWS } from "./limits";
import { translate } from "../translate";

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
/** "T1,1.00,退款" in GBK, as Excel saves it on Chinese Windows. */
const gbk = new Uint8Array([...utf8("T1,1.00,"), 0xcd, 0xcb, 0xbf, 0xee, 0x0a]);

const lines = (bytes: Uint8Array) => {
  const parsed = parseBulkCsv(bytes);
  if (!parsed.ok) throw new Error(parsed.error.code);
  return parsed.value.lines.map(({ lineNo, outTradeNo, amountText, reason, extraColumns }) => [
    lineNo,
    outTradeNo,
    amountText,
    reason,
    extraColumns,
  ]);
};

describe("parseBulkCsv", () => {
  it.each([
    ["with a header", "out_trade_no,amount,reason\nT1,1.00,Damaged\n", [[2, "T1", "1.00", "Damaged", false]]],
    [
      "without a header",
      "T1,1.00,Damaged\nT2,full\n",
      [
        [1, "T1", "1.00", "Damaged", false],
        [2, "T2", "full", "", false],
      ],
    ],
    ["with a Chinese header", "商户订单号,金额,原因\nT1,2\n", [[2, "T1", "2", "", false]]],
    [
      "with CRLF and blank lines",
      "T1,1\r\n\r\n,,\r\nT2,2\r\n",
      [
        [1, "T1", "1", "", false],
        [4, "T2", "2", "", false],
      ],
    ],
    [
      "with a quoted reason holding a comma and a quote",
      'T1,3.50,"Late, ""very"" late"\n',
      [[1, "T1", "3.50", 'Late, "very" late', false]],
    ],
    ["with spaces around fields", "  T1 , 1.00 ,  Damaged  \n", [[1, "T1", "1.00", "Damaged", false]]],
    ["with an unquoted comma in the reason", "T1,1.00,Late,sorry\n", [[1, "T1", "1.00", "Late", true]]],
    ["with empty trailing columns from Excel", "T1,1.00,Late,,\n", [[1, "T1", "1.00", "Late", false]]],
    ["with only an order number", "T1\n", [[1, "T1", "", "", false]]],
  ])("reads a file %s", (_name, text, expected) => {
    expect(lines(utf8(text))).toEqual(expected);
  });

  it("drops a UTF-8 BOM, also before the header", () => {
    expect(lines(withBom("out_trade_no,amount\nT1,1\n"))).toEqual([[2, "T1", "1", "", false]]);
    const parsed = parseBulkCsv(withBom("T1,1\n"));
    expect(parsed.ok && parsed.value.encoding).toBe("utf-8");
  });

  it("reads a file that is not UTF-8 as GBK and says so", () => {
    const parsed = parseBulkCsv(gbk);
    expect(parsed.ok && parsed.value).toMatchObject({
      encoding: "gb18030",
      lines: [{ outTradeNo: "T1", amountText: "1.00", reason: "退款" }],
    });
  });

  it.each([
    ["an empty file", utf8(""), "FILE_EMPTY"],
    ["a header only", utf8("out_trade_no,amount,reason\n"), "FILE_EMPTY"],
    ["a binary file", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]), "NOT_TEXT"],
    ["an unclosed quote", utf8('T1,1,"open\nT2,2\n'), "CSV_SYNTAX"],
    ["more than 2 MB", new Uint8Array(MAX_BULK_BYTES + 1).fill(0x41), "FILE_TOO_LARGE"],
    [
      "more than 10,000 lines",
      utf8(Array.from({ length: MAX_BULK_ROWS + 1 }, (_, i) => `T${i},1`).join("\n")),
      "TOO_MANY_ROWS",
    ],
  ])("refuses %s with a reason in both languages", (_name, bytes, code) => {
    const parsed = parseBulkCsv(bytes);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe(code);
    expect(translate(parsed.error.message, "zh-CN")).not.toBe("");
    expect(translate(parsed.error.message, "en")).not.toBe("");
  });

  it("accepts exactly 10,000 lines", () => {
    const text = Array.from({ length: MAX_BULK_ROWS }, (_, i) => `T${i},1`).join("\n");
    expect(lines(utf8(text))).toHaveLength(MAX_BULK_ROWS);
  });
});
