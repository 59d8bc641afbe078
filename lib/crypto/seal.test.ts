import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptionKeyFrom, open, seal } from "./seal";

const key = randomBytes(32);
const AD = "merchant_credentials/6f1c0d3e-0000-4000-8000-000000000001/v1";

/** Flips one bit of a base64url part of a sealed blob. */
function flipBit(sealed: string, partIndex: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[partIndex]!, "base64url");
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}

describe("seal / open", () => {
  it("round-trips text and bytes in the v1.<iv>.<tag>.<ciphertext> format", () => {
    const sealed = seal(key, "APIv3 key 0123456789abcdef012345", AD);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("APIv3");
    expect(open(key, sealed, AD)).toEqual({ ok: true, value: Buffer.from("APIv3 key 0123456789abcdef012345") });
    const binary = randomBytes(100);
    expect(open(key, seal(key, binary, AD), AD)).toEqual({ ok: true, value: binary });
  });

  it("uses a fresh IV each time, so equal secrets do not look equal", () => {
    expect(seal(key, "same", AD)).not.toBe(seal(key, "same", AD));
  });

  it.each([
    ["the IV", 1],
    ["the tag", 2],
    ["the ciphertext", 3],
  ])("refuses a blob whose %s was tampered with", (_, index) => {
    expect(open(key, flipBit(seal(key, "secret", AD), index), AD)).toEqual({
      ok: false,
      error: "AUTHENTICATION_FAILED",
    });
  });

  it("refuses the wrong master key", () => {
    expect(open(randomBytes(32), seal(key, "secret", AD), AD)).toEqual({ ok: false, error: "AUTHENTICATION_FAILED" });
  });

  it("refuses other associated data: a blob moved to another row or version does not open", () => {
    const sealed = seal(key, "secret", AD);
    expect(open(key, sealed, AD.replace("/v1", "/v2"))).toEqual({ ok: false, error: "AUTHENTICATION_FAILED" });
    expect(open(key, sealed, AD.replace("0001", "0002"))).toEqual({ ok: false, error: "AUTHENTICATION_FAILED" });
  });

  it.each([
    ["not four parts", "v1.abc.def"],
    ["characters outside base64url", "v1.a+b.c.d"],
    ["a short IV", `v1.${Buffer.alloc(8).toString("base64url")}.${Buffer.alloc(16).toString("base64url")}.AA`],
  ])("refuses a malformed blob: %s", (_, sealed) => {
    expect(open(key, sealed, AD)).toEqual({ ok: false, error: "MALFORMED" });
  });

  it("refuses an unknown format version", () => {
    expect(open(key, seal(key, "secret", AD).replace(/^v1/, "v9"), AD)).toEqual({
      ok: false,
      error: "UNSUPPORTED_VERSION",
    });
  });

  it("refuses a master key that is not 32 bytes", () => {
    expect(() => seal(randomBytes(16), "secret", AD)).toThrow("32 bytes");
  });
});

describe("encryptionKeyFrom (APP_ENCRYPTION_KEY)", () => {
  const raw = randomBytes(32);
  it.each([
    ["hex", raw.toString("hex")],
    ["base64", raw.toString("base64")],
    ["base64url", raw.toString("base64url")],
    ["base64 with surrounding spaces", ` ${raw.toString("base64")}\n`],
  ])("reads %s", (_, value) => {
    expect(encryptionKeyFrom({ APP_ENCRYPTION_KEY: value })).toEqual({ ok: true, value: raw });
  });

  it.each([
    ["too short", randomBytes(16).toString("hex")],
    ["too long", randomBytes(33).toString("base64")],
    ["a passphrase", "correct horse battery staple and more words"],
  ])("refuses %s", (_, value) => {
    expect(encryptionKeyFrom({ APP_ENCRYPTION_KEY: value })).toEqual({ ok: false, error: "INVALID" });
  });

  it("says when it is missing", () => {
    expect(encryptionKeyFrom({})).toEqual({ ok: false, error: "MISSING" });
  });
});
