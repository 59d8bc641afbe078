import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import derived from "./fixtures/DERIVED.v2_refund_notify_req_info.json";
import ossl from "./fixtures/openssl.v2.json";
import md5 from "./fixtures/wechatpay-axios-plugin.md5.json";
import php from "./fixtures/wechatpay-php.json";
import { decryptReqInfo, encryptReqInfo, type RefundReqInfo } from "./reqinfo";

// The PHP sample plaintext, as the console should type it.
const PHP_SAMPLE: RefundReqInfo = {
  out_refund_no: "131811191610442717309",
  out_trade_no: "71106718111915575302817",
  refund_account: "REFUND_SOURCE_RECHARGE_FUNDS",
  refund_fee: 3960,
  refund_id: "50000408942018111907145868882",
  refund_recv_accout: "支付用户零钱",
  refund_request_source: "API",
  refund_status: "SUCCESS",
  settlement_refund_fee: 3960,
  settlement_total_fee: 3960,
  success_time: "2018-11-19 16:24:13",
  total_fee: 3960,
  transaction_id: "4200000215201811190261405420",
};

/** Encrypts arbitrary plaintext the way WeChat does, for negative cases the encoder would refuse to build. */
function encryptRaw(plaintext: string, apiKey: string): string {
  const key = Buffer.from(createHash("md5").update(apiKey).digest("hex"), "latin1");
  const cipher = createCipheriv("aes-256-ecb", key, null);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString("base64");
}

/** Decrypts with an AES key given as text, independently of the module under test. */
function decryptWith(b64: string, keyText: string): string {
  const d = createDecipheriv("aes-256-ecb", Buffer.from(keyText, "latin1"), null);
  return Buffer.concat([d.update(Buffer.from(b64, "base64")), d.final()]).toString("utf8");
}

describe("decryptReqInfo known answers", () => {
  it("decrypts the derived notification vector into the PHP sample", () => {
    const r = decryptReqInfo(derived.req_info_b64, derived.apiv2_key);
    expect(r.ok && r.value).toEqual(PHP_SAMPLE);
  });

  it("decrypts the openssl vector (CHANGE, no success_time, no settlement_total_fee)", () => {
    const r = decryptReqInfo(ossl.req_info.ciphertext_b64, ossl.api_key);
    expect(r.ok && r.value).toEqual(ossl.req_info.expected);
  });
});

describe("encryptReqInfo", () => {
  it("reproduces the openssl ciphertext byte for byte", () => {
    const r = encryptReqInfo(ossl.req_info.expected as RefundReqInfo, ossl.api_key);
    expect(r.ok && r.value).toBe(ossl.req_info.ciphertext_b64);
  });

  it("keys AES with the hex text of MD5(API key) (axios-plugin md5 vector)", () => {
    const [{ input: apiKey, md5: keyText }] = md5.md5_cases as [{ input: string; md5: string }];
    const r = encryptReqInfo(PHP_SAMPLE, apiKey);
    const plain = decryptWith(r.ok ? r.value : "", keyText);
    expect(plain).toMatch(/^<root><out_refund_no><!\[CDATA\[131811191610442717309]]>/);
  });

  it("round-trips through decryptReqInfo", () => {
    const r = encryptReqInfo(PHP_SAMPLE, "k".repeat(32));
    const back = r.ok ? decryptReqInfo(r.value, "k".repeat(32)) : r;
    expect(back.ok && back.value).toEqual(PHP_SAMPLE);
  });

  it("drops fields outside the schema", () => {
    const r = encryptReqInfo({ ...PHP_SAMPLE, extra: "x" } as RefundReqInfo, "k");
    expect(r.ok && decryptWith(r.value, createHash("md5").update("k").digest("hex"))).not.toContain("extra");
  });

  it.each([
    ["a negative amount", { ...PHP_SAMPLE, refund_fee: -1 }],
    ["a fractional amount", { ...PHP_SAMPLE, refund_fee: 1.5 }],
    ["an unknown status", { ...PHP_SAMPLE, refund_status: "DONE" }],
    ["a control character", { ...PHP_SAMPLE, refund_recv_accout: "\u0000" }],
  ])("refuses %s", (_, info) => {
    const r = encryptReqInfo(info as RefundReqInfo, "k");
    expect(!r.ok && r.error.code).toBe("MALFORMED");
  });
});

describe("decryptReqInfo refuses hostile or broken input", () => {
  const key = derived.apiv2_key;
  const sample = derived.req_info_b64;

  it.each<[string, string, string, string]>([
    ["empty", "", "NOT_BASE64", "malformed"],
    ["not base64", "not base64!", "NOT_BASE64", "malformed"],
    ["URL-safe alphabet", sample.replace(/\+/g, "-").replace(/\//g, "_"), "NOT_BASE64", "malformed"],
    ["line breaks", `${sample.slice(0, 64)}\n${sample.slice(64)}`, "NOT_BASE64", "malformed"],
    ["missing padding", "YWJj=", "NOT_BASE64", "malformed"],
    ["truncated to a non-block length", sample.slice(0, 40), "REQ_INFO_LENGTH_INVALID", "malformed"],
    ["one byte short of a block", Buffer.alloc(15).toString("base64"), "REQ_INFO_LENGTH_INVALID", "malformed"],
    ["oversized", "A".repeat(100_000), "BODY_TOO_LARGE", "malformed"],
  ])("%s → %s", (_, input, code, kind) => {
    const r = decryptReqInfo(input, key);
    expect(!r.ok && r.error).toMatchObject({ code, kind });
  });

  it("wrong API key → REQ_INFO_DECRYPT_FAILED", () => {
    const r = decryptReqInfo(sample, "exposed_your_key_here_have_riskz");
    expect(!r.ok && r.error).toMatchObject({ code: "REQ_INFO_DECRYPT_FAILED", kind: "decryption" });
  });

  it("wrong key whose garbage happens to end in valid padding → still REQ_INFO_DECRYPT_FAILED", () => {
    // Search keys until the last block decrypts to "…\x01" (about 1 in 256), then check the UTF-8 guard.
    for (let i = 0; i < 5000; i++) {
      const r = decryptReqInfo(sample, `wrong-key-${i}`);
      if (!r.ok && r.error.detail.includes("not UTF-8")) {
        expect(r.error.code).toBe("REQ_INFO_DECRYPT_FAILED");
        return;
      }
    }
    throw new Error("no key produced valid padding");
  });

  it("ciphertext cut at a block boundary → bad padding", () => {
    const cut = Buffer.from(sample, "base64").subarray(0, 64).toString("base64");
    const r = decryptReqInfo(cut, key);
    expect(!r.ok && r.error.code).toBe("REQ_INFO_DECRYPT_FAILED");
  });

  it.each([
    ["not XML", "hello", "MALFORMED"],
    ["a DTD", '<!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]><root>&x;</root>', "XML_DTD_FORBIDDEN"],
    ["the <xml> root", php.refund_req_info_plaintext_xml.replace(/root>/g, "xml>"), "MALFORMED"],
    ["a missing field", php.refund_req_info_plaintext_xml.replace(/<refund_id>.*<\/refund_id>\n/, ""), "MALFORMED"],
    [
      "an amount with a sign",
      php.refund_req_info_plaintext_xml.replace("<refund_fee><![CDATA[3960]]>", "<refund_fee><![CDATA[-3960]]>"),
      "MALFORMED",
    ],
    [
      "an amount in yuan",
      php.refund_req_info_plaintext_xml.replace("<refund_fee><![CDATA[3960]]>", "<refund_fee><![CDATA[39.60]]>"),
      "MALFORMED",
    ],
    [
      "an amount in exponent form",
      php.refund_req_info_plaintext_xml.replace("<refund_fee><![CDATA[3960]]>", "<refund_fee><![CDATA[4e3]]>"),
      "MALFORMED",
    ],
    [
      "an amount beyond 2^53",
      php.refund_req_info_plaintext_xml.replace(
        "<refund_fee><![CDATA[3960]]>",
        "<refund_fee><![CDATA[9999999999999999]]>",
      ),
      "MALFORMED",
    ],
    ["an unknown status", php.refund_req_info_plaintext_xml.replace("[SUCCESS]", "[PROCESSING]"), "MALFORMED"],
    [
      "a badly formatted time",
      php.refund_req_info_plaintext_xml.replace("2018-11-19 16:24:13", "2018-11-19T16:24:13+08:00"),
      "MALFORMED",
    ],
  ])("correctly encrypted plaintext with %s → %s", (_, plaintext, code) => {
    const r = decryptReqInfo(encryptRaw(plaintext, key), key);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it("treats an empty optional field as absent", () => {
    const plaintext = php.refund_req_info_plaintext_xml.replace("2018-11-19 16:24:13", "");
    const r = decryptReqInfo(encryptRaw(plaintext, key), key);
    expect(r.ok && r.value.success_time).toBeUndefined();
  });
});
