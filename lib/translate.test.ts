import { describe, expect, it } from "vitest";
import { loadMessages } from "../i18n/messages";
import { LOCALES } from "./locale";
import { msg, type MessageKey } from "./message";
import { translate } from "./translate";
import { describeCode, knownErrorCodes, wechatPayError } from "./wechatpay/errors";

function leaves(node: unknown, prefix: string): [string, string][] {
  if (typeof node === "string") return [[prefix, node]];
  return Object.entries(node as object).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
}

describe("translate", () => {
  it("puts a message in each language, values in place and numbers as plain digits", () => {
    const tooMany = msg("outcomes.bulk.csv.TOO_MANY_ROWS", { max: 10000 });
    expect(translate(tooMany, "en")).toBe(
      "The file has more than 10000 lines, the most one batch takes. Split it into several batches.",
    );
    expect(translate(tooMany, "zh-CN")).toBe("文件超过 10000 行（单次上限），请拆分后分批上传。");
  });

  it("reads any other locale as the default language, Chinese", () => {
    expect(translate(msg("outcomes.actionResult.FORBIDDEN"), "fr")).toBe("您的角色无权执行此操作。");
  });

  it("keeps texts stored before the catalogue in their own words", () => {
    const stored = msg("outcomes.legacy.TEXT", { zh: "找不到订单。", en: "No such order." });
    expect([translate(stored, "zh-CN"), translate(stored, "en")]).toEqual(["找不到订单。", "No such order."]);
  });

  // Every text lib/ can name formats (valid ICU, placeholders filled) in every language.
  it.each(LOCALES)("formats every outcome in %s", (locale) => {
    const texts = leaves(loadMessages(locale).outcomes, "outcomes");
    expect(texts.length).toBeGreaterThan(150);
    for (const [key, text] of texts) {
      const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const values = Object.fromEntries(names.map((name) => [name, `<${name}>`]));
      const expected = names.reduce((out, name) => out.replace(`{${name}}`, `<${name}>`), text);
      expect(translate(msg(key as MessageKey, values), locale)).toBe(expected);
    }
  });
});

describe("WeChat Pay error texts", () => {
  it.each(knownErrorCodes())("%s has its own text in both languages", (code) => {
    const { message } = describeCode(code);
    expect(message.key).toBe(`outcomes.wechatpay.errors.${code}`);
    expect(translate(message, "zh-CN")).toMatch(/[\u4e00-\u9fff]/);
    expect(translate(message, "en")).toMatch(/^[^\u4e00-\u9fff]*[A-Za-z]/);
  });

  it("names a code it does not know, with the HTTP status", () => {
    const error = wechatPayError("business", "BRAND_NEW_CODE", "?", 409);
    expect(translate(error.message, "en")).toBe(
      "WeChat Pay answered with an error this console does not know (BRAND_NEW_CODE, HTTP 409). Read WeChat's message, act on it, then retry with the same refund number.",
    );
    expect(translate(error.message, "zh-CN")).toContain("（BRAND_NEW_CODE, HTTP 409）");
  });
});
