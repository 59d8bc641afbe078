import { describe, expect, it } from "vitest";
import ossl from "./fixtures/openssl.v2.json";
import official from "./fixtures/v2_sign_official.json";
import { nonceStr, signV2, stringToSign, verifySign, type V2SignType } from "./sign";

describe("stringToSign", () => {
  it("reproduces stringSignTemp of WeChat's worked example", () => {
    expect(stringToSign(official.params, official.apiv2_key)).toBe(official.stringSignTemp);
  });

  it("sorts by ASCII (`_` after capitals, before lower case), skips empty values and sign", () => {
    const s = stringToSign({ b: "2", a_b: "3", aB: "4", a: "1", sign: "X", empty: "", none: undefined }, "K");
    expect(s).toBe("a=1&aB=4&a_b=3&b=2&key=K");
  });

  it("matches the openssl vector, with numbers and an empty field", () => {
    expect(stringToSign(ossl.sign_params, ossl.api_key)).toBe(ossl.md5.string_to_sign);
  });
});

describe("signV2 known answers", () => {
  it.each<[string, Record<string, string | number>, string, V2SignType, string]>([
    ["official example, MD5", official.params, official.apiv2_key, "MD5", official.expected.MD5],
    [
      "official example, HMAC-SHA256",
      official.params,
      official.apiv2_key,
      "HMAC-SHA256",
      official.expected["HMAC-SHA256"],
    ],
    ["openssl refund request, MD5 (UTF-8 refund_desc)", ossl.sign_params, ossl.api_key, "MD5", ossl.md5.sign],
    [
      "openssl refund request, HMAC-SHA256 (sign_type signed too)",
      { ...ossl.sign_params, ...ossl.hmac_sha256.extra_params },
      ossl.api_key,
      "HMAC-SHA256",
      ossl.hmac_sha256.sign,
    ],
  ])("%s", (_, params, key, type, expected) => {
    expect(signV2(params, key, type)).toBe(expected);
  });

  it("ignores a sign already present", () => {
    expect(signV2({ ...official.params, sign: "WHATEVER" }, official.apiv2_key, "MD5")).toBe(official.expected.MD5);
  });
});

describe("verifySign", () => {
  const signed = { ...official.params, sign: official.expected.MD5 };

  it.each<[string, boolean, Record<string, string>, string, V2SignType]>([
    ["the official example", true, signed, official.apiv2_key, "MD5"],
    [
      "lower-case hex of the same signature",
      true,
      { ...signed, sign: official.expected.MD5.toLowerCase() },
      official.apiv2_key,
      "MD5",
    ],
    [
      "HMAC answer checked as HMAC",
      true,
      { ...official.params, sign: official.expected["HMAC-SHA256"] },
      official.apiv2_key,
      "HMAC-SHA256",
    ],
    ["MD5 signature checked as HMAC", false, signed, official.apiv2_key, "HMAC-SHA256"],
    ["wrong key", false, signed, "0".repeat(32), "MD5"],
    ["tampered field", false, { ...signed, body: "test2" }, official.apiv2_key, "MD5"],
    ["extra unsigned field", false, { ...signed, refund_fee: "1" }, official.apiv2_key, "MD5"],
    ["missing sign", false, { ...official.params }, official.apiv2_key, "MD5"],
    ["empty sign", false, { ...signed, sign: "" }, official.apiv2_key, "MD5"],
    ["truncated sign", false, { ...signed, sign: official.expected.MD5.slice(0, 31) }, official.apiv2_key, "MD5"],
    ["non-ASCII sign", false, { ...signed, sign: "签".repeat(32) }, official.apiv2_key, "MD5"],
  ])("%s → %s", (_, expected, params, key, type) => {
    expect(verifySign(params, key, type)).toBe(expected);
  });

  it("treats an empty field as absent, as WeChat does", () => {
    expect(verifySign({ ...signed, device_info: "1000", attach: "" }, official.apiv2_key, "MD5")).toBe(true);
  });
});

describe("nonceStr", () => {
  it("is 32 alphanumerics and does not repeat", () => {
    const seen = new Set(Array.from({ length: 200 }, () => nonceStr()));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(n).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
