import { describe, expect, it } from "vitest";
import { pickLocale } from "./locale";

describe("pickLocale", () => {
  it.each([
    ["saved choice wins", "en", "zh-CN", "zh-CN,zh;q=0.9", "en"],
    ["cookie when nothing saved", null, "en", "zh-CN", "en"],
    ["browser Chinese", null, null, "zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"],
    ["browser English", null, null, "en-GB,en;q=0.9", "en"],
    ["browser order by q", null, null, "en;q=0.5,zh;q=0.8", "zh-CN"],
    ["unknown languages fall back", null, null, "fr-FR,de;q=0.9", "zh-CN"],
    ["q=0 means not acceptable", null, null, "zh;q=0,en;q=0.1", "en"],
    ["garbage saved value ignored", "klingon", null, "en", "en"],
    ["nothing at all", null, null, null, "zh-CN"],
  ])("%s", (_name, saved, cookie, accept, expected) => {
    expect(pickLocale(saved, cookie, accept)).toBe(expected);
  });
});
