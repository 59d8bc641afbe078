import { describe, expect, it } from "vitest";
import { MAX_REASON_BYTES, reasonBytesLeft, reasonFits, reasonTooLongMessage, utf8Bytes } from "./reason-limit";
import { translate } from "../translate";

describe("WeChat's 80-byte reason", () => {
  it.each([
    { reason: "a".repeat(80), bytes: 80, fits: true },
    { reason: "a".repeat(81), bytes: 81, fits: false },
    { reason: "退".repeat(26), bytes: 78, fits: true },
    { reason: "退".repeat(27), bytes: 81, fits: false },
    { reason: "顾客申请退款，商品已退回仓库并验收完毕，请尽快原路退回款项谢谢", bytes: 93, fits: false },
    { reason: "Refund 退款 ☕", bytes: 17, fits: true },
    { reason: "😀".repeat(20), bytes: 80, fits: true },
    { reason: "", bytes: 0, fits: true },
  ])("$reason is $bytes bytes", ({ reason, bytes, fits }) => {
    expect(utf8Bytes(reason)).toBe(bytes);
    expect(reasonFits(reason)).toBe(fits);
    expect(reasonBytesLeft(reason)).toBe(MAX_REASON_BYTES - bytes);
  });

  it("tells the operator the size, the limit and how much to cut, in both languages", () => {
    const message = reasonTooLongMessage("退".repeat(27));
    expect(translate(message, "zh-CN")).toContain("81 字节");
    expect(translate(message, "zh-CN")).toContain("删减 1 字节");
    expect(translate(message, "en")).toContain("81 bytes");
    expect(translate(message, "en")).toContain("at most 80 bytes");
  });
});
