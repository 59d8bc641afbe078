import { describe, expect, it } from "vitest";
import { spreadsheetSafe } from "./spreadsheet-safe";

describe("CSV cells a spreadsheet will not run", () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'],
    ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", "'\r=1+1"],
    ["SHOP-=1", "SHOP-=1"],
    ["顾客申请退款", "顾客申请退款"],
    ["-12.50", "-12.50"],
    ["1234", "1234"],
    [42, "42"],
    [null, ""],
    [undefined, ""],
  ])("%j → %j", (input, expected) => {
    expect(spreadsheetSafe(input)).toBe(expected);
  });
});
