import { describe, expect, it } from "vitest";
import { truncateUtf8 } from "./text";

describe("truncateUtf8", () => {
  it("keeps text within the limit as it is", () => {
    expect(truncateUtf8("abc", 3)).toBe("abc");
  });

  it("cuts at a byte count", () => {
    expect(truncateUtf8("abcdef", 4)).toBe("abcd");
  });

  it("never splits a multi-byte character", () => {
    // 退 and 款 are three bytes each: four bytes hold only the first.
    expect(truncateUtf8("退款", 4)).toBe("退");
    expect(truncateUtf8("退款", 6)).toBe("退款");
    expect(truncateUtf8("a😀", 4)).toBe("a");
  });
});
