import { describe, expect, it } from "vitest";
import { describeCode, wechatPayError } from "./errors";
import { translate } from "../translate";

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
    // Any 429 is WeChat slowing us down, whatever it is called.
    ["TOO_MANY_REQUESTS", 429, "retry"],
    ["RATE_LIMITED_NEW_NAME", 429, "retry"],
    ["SOMETHING_NEW", 503, "retry"],
    ["REQUEST_BLOCKED", 403, "final"],
    ["MCH_NOT_EXISTS", 400, "final"],
    ["NO_AUTH", 403, "final"],
  ] as const)("%s (HTTP %s) is %s", (code, status, advice) => {
    expect(describeCode(code, status).advice).toBe(advice);
  });

  it("shows an unknown final code to the operator as it came, in both languages", () => {
    const e = wechatPayError("business", "BRAND_NEW_CODE", "新的错误", 409);
    expect(e.advice).toBe("final");
    expect(translate(e.message, "zh-CN")).toContain("BRAND_NEW_CODE");
    expect(translate(e.message, "en")).toContain("BRAND_NEW_CODE, HTTP 409");
  });

  it("does not send the operator to an abnormal refund WeChat never created for USER_ACCOUNT_ABNORMAL", () => {
    const e = wechatPayError("business", "USER_ACCOUNT_ABNORMAL", "用户账户异常", 403);
    expect(translate(e.message, "en")).not.toMatch(/apply for an abnormal refund\./i);
    expect(translate(e.message, "en")).toMatch(/other means/);
    expect(translate(e.message, "zh-CN")).toMatch(/其他方式/);
  });

  it("explains NOT_ENOUGH in both languages with the way out", () => {
    const e = wechatPayError("business", "NOT_ENOUGH", "基本账户余额不足", 403);
    expect(translate(e.message, "en")).toMatch(/top up/i);
    expect(translate(e.message, "en")).toMatch(/same refund number/);
    expect(translate(e.message, "zh-CN")).toMatch(/余额不足/);
  });
});
