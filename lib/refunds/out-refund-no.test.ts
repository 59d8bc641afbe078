import { describe, expect, it } from "vitest";
import { newOutRefundNo, OUT_REFUND_NO_PATTERN } from "./out-refund-no";

describe("newOutRefundNo", () => {
  it("matches WeChat's format and carries the Beijing date", () => {
    const no = newOutRefundNo(new Date("2026-11-23T17:30:00Z")); // 01:30 on the 24th in Beijing
    expect(no).toMatch(OUT_REFUND_NO_PATTERN);
    expect(no).toMatch(/^R20261124[0-9A-Z]{16}$/);
  });

  it("does not repeat", () => {
    const numbers = new Set(Array.from({ length: 10_000 }, () => newOutRefundNo()));
    expect(numbers.size).toBe(10_000);
  });

  it.each(["a".repeat(65), "has space", "中文", "semi;colon", ""])("the pattern refuses %j", (value) => {
    expect(OUT_REFUND_NO_PATTERN.test(value)).toBe(false);
  });
});
