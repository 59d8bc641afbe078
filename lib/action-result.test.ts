import { describe, expect, it } from "vitest";
import { FORBIDDEN, worded, type ActionResult } from "./action-result";
import { msg } from "./message";
import { translate } from "./translate";

describe("worded", () => {
  const chinese = (message: Parameters<typeof translate>[0]) => translate(message, "zh-CN");

  it.each<[string, ActionResult<number>, unknown]>([
    ["an error", FORBIDDEN, { ok: false, code: "FORBIDDEN", error: "您的角色无权执行此操作。" }],
    [
      "a notice",
      { ok: true, data: 1, message: msg("outcomes.console.refunds.RETRY_SENT") },
      { ok: true, data: 1, message: "已重新提交，使用同一退款单号。" },
    ],
    ["a success without a notice", { ok: true, data: 2 }, { ok: true, data: 2 }],
  ])("puts %s in the reader's words", (_case, result, shown) => {
    expect(worded(result, chinese)).toEqual(shown);
  });

  it("keeps the field errors", () => {
    const invalid = { ...FORBIDDEN, fieldErrors: { amount: ["TOO_SMALL"] } };
    expect(worded(invalid, chinese)).toMatchObject({ fieldErrors: { amount: ["TOO_SMALL"] } });
  });
});
