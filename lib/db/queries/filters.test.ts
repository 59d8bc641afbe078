import { describe, expect, it } from "vitest";
import { containsPattern, dayParam, yuanParamToFen } from "./filters";

describe("list filter helpers", () => {
  it("reads yuan typed into a filter as fen, dropping what it cannot read", () => {
    expect(yuanParamToFen("12.5")).toBe(1250);
    expect(yuanParamToFen("¥1,000")).toBe(100_000);
    expect(yuanParamToFen("0.001")).toBeUndefined();
    expect(yuanParamToFen("abc")).toBeUndefined();
    expect(yuanParamToFen("")).toBeUndefined();
    expect(yuanParamToFen(undefined)).toBeUndefined();
  });

  it("takes LIKE wildcards literally", () => {
    expect(containsPattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });

  it("accepts only YYYY-MM-DD days", () => {
    expect(dayParam.parse("2024-05-01")).toBe("2024-05-01");
    expect(dayParam.parse("05/01/2024")).toBeUndefined();
    expect(dayParam.parse(["2024-05-01"])).toBeUndefined();
  });
});
