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
    ["padding then more", "QQ=A"],
    ["a character outside the alphabet in every position of a group", "*UJD"],
    ["a NUL", "QUJ\u0000"],
  ])("refuses %s", (_name, text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });

  it("agrees with the definition on random text (10,000 strings of alphabet, padding and strays)", () => {
    const definition = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const characters = "ABCXYZabcxyz019+/=====-_ \n*é\u0000";
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 10_000; i++) {
      const length = 1 + Math.floor(random() * 12);
      const text = Array.from({ length }, () => characters[Math.floor(random() * characters.length)]).join("");
      expect(decodeBase64Strict(text) !== undefined, JSON.stringify(text)).toBe(definition.test(text));
    }
  });
});
