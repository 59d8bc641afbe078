import { describe, expect, it } from "vitest";
import { fenToYuan, formatFen, parseYuan } from "./money";

describe("parseYuan", () => {
  it.each([
    ["0.1", 10],
    ["0.01", 1],
    ["19.99", 1999],
    ["1", 100],
    ["1.", 100],
    ["0.29", 29], // 0.29 * 100 = 28.999999999999996 with floats
    ["1.13", 113], // 1.13 * 100 = 112.99999999999999 with floats
    ["1,234.56", 123456],
    ["¥12", 1200],
    ["￥ 10.50", 1050],
    [" 007.10 ", 710],
    ["100000000", 10_000_000_000],
  ])("%s yuan is %i fen", (input, fen) => {
    expect(parseYuan(input)).toEqual({ ok: true, value: fen });
  });

  it.each([
    ["", "EMPTY"],
    ["   ", "EMPTY"],
    ["1.234", "TOO_MANY_DECIMALS"],
    ["-1", "FORMAT"],
    ["1e3", "FORMAT"],
    ["abc", "FORMAT"],
    [".5", "FORMAT"],
    ["1.2.3", "FORMAT"],
    ["0x10", "FORMAT"],
    ["100000000.01", "TOO_LARGE"],
    ["99999999999999999999", "TOO_LARGE"],
  ])("%j is refused as %s", (input, error) => {
    expect(parseYuan(input)).toEqual({ ok: false, error });
  });
});

describe("formatting", () => {
  it.each([
    [0, "¥0.00", "0.00"],
    [1, "¥0.01", "0.01"],
    [10, "¥0.10", "0.10"],
    [123456, "¥1,234.56", "1234.56"],
    [100_000_000, "¥1,000,000.00", "1000000.00"],
    [-1050, "-¥10.50", "-10.50"],
  ])("%i fen is %s", (fen, shown, yuan) => {
    expect(formatFen(fen)).toBe(shown);
    expect(fenToYuan(fen)).toBe(yuan);
  });
});
