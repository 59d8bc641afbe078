import { describe, expect, it } from "vitest";
import { decodeBase64Strict } from "./base64";

describe("decodeBase64Strict", () => {
  it.each([
    ["no padding", "QUJD", "ABC"],
    ["one pad", "QUI=", "AB"],
    ["two pads", "QQ==", "A"],
    ["plus and slash", "+/+/", Buffer.from("+/+/", "base64").toString("latin1")],
  ])("accepts %s", (_name, text, decoded) => {
    expect(decodeBase64Strict(text)?.toString("latin1")).toBe(decoded);
  });

  it.each([
    ["empty", ""],
    ["length not a multiple of 4", "QUJ"],
    ["space", "QU J"],
    ["newline", "QUJD\n"],
    ["url-safe alphabet", "-_-_"],
    ["padding in the middle", "QQ==QUJD"],
    ["three pads", "Q==="],
    ["only padding", "===="],
    ["non-ASCII", "QUJé"],
    ["words", "invalid cipher!!"],
  ])("refuses %s", (_name, text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });
});
