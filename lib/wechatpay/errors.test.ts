import { describe, expect, it } from "vitest";
import { describeCode, wechatPayError } from "./errors";

describe("describeCode", () => {
  it.each([
    ["SYSTEM_ERROR", undefined, "retry"],
    ["FREQUENCY_LIMITED", 429, "retry"],
    ["NOT_ENOUGH", 403, "final"],
    ["INVALID_REQUEST", 400, "final"],
    ["SIGN_ERROR", 401, "final"],
    ["TIMEOUT", undefined, "unknown"],
    ["CONNECTION_RESET", undefined, "unknown"],
    ["SOMETHING_NEW", 502, "retry"],
    ["SOMETHING_NEW", 400, "final"],
  ] as const)("%s (HTTP %s) is %s", (code, status, advice) => {
    expect(describeCode(code, status).advice).toBe(advice);
  });

  it("explains NOT_ENOUGH in both languages with the way out", () => {
    const e = wechatPayError("business", "NOT_ENOUGH", "基本账户余额不足", 403);
    expect(e.message.en).toMatch(/top up/i);
    expect(e.message.en).toMatch(/same refund number/);
    expect(e.message.zh).toMatch(/余额不足/);
  });
});
