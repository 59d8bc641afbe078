import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import derived from "./fixtures/DERIVED.v3_request_signing.json";
import { axiosKey, goKey, javaMerchantKey, javaPlatformKey, readOpenssl } from "./fixtures/keys";
import goHeader from "./fixtures/wechatpay-go.authorization_header.json";
import goRsa from "./fixtures/wechatpay-go.rsa_sign_verify.json";
import javaPki from "./fixtures/wechatpay-java.test_pki.json";
import {
  buildAuthorization,
  parseAuthorization,
  requestMessage,
  rsaSign,
  rsaVerify,
  signatureMessage,
  verifyAuthorization,
} from "./sign";

describe("requestMessage", () => {
  it.each(goHeader.cases)("reproduces wechatpay-go's canonical message for $method $canonical_url", (c) => {
    expect(requestMessage(c.method, c.canonical_url, String(c.timestamp), c.nonce, c.body)).toBe(c.expected_message);
  });

  it.each(derived.cases)("reproduces the DERIVED message for $method $canonical_url", (c) => {
    expect(requestMessage(c.method, c.canonical_url, c.timestamp, c.nonce_str, c.body)).toBe(c.message);
  });

  it("ends an empty body with an empty line (axios-plugin formatter vectors)", () => {
    expect(signatureMessage(["1", "2", "3", "4", "5"])).toBe("1\n2\n3\n4\n5\n");
    expect(signatureMessage(["6", "7", "8", "9", ""])).toBe("6\n7\n8\n9\n\n");
    expect(signatureMessage(["9", "8", ""])).toBe("9\n8\n\n");
  });
});

describe("rsaSign / rsaVerify known answers", () => {
  const openssl = {
    message: readOpenssl("request_message.txt"),
    signature: readOpenssl("request_signature.b64").trim(),
  };
  it.each<[string, string, KeyObject, string]>([
    ["wechatpay-go signer test", goRsa.message, goKey.privateKey, goRsa.signature_base64],
    [
      "wechatpay-java RSAVerifierTest",
      javaPki.rsa_case.message,
      javaMerchantKey.privateKey,
      javaPki.rsa_case.signature_base64,
    ],
    ["openssl dgst -sha256 -sign (fixtures/openssl/make.sh)", openssl.message, axiosKey.privateKey, openssl.signature],
    ...derived.cases.map((c): [string, string, KeyObject, string] => [
      `DERIVED ${c.method} ${c.canonical_url}`,
      c.message,
      goKey.privateKey,
      c.signature_base64,
    ]),
  ])("%s", (_name, message, key, signature) => {
    expect(rsaSign(message, key)).toEqual({ ok: true, value: signature });
    expect(rsaVerify(message, signature, createPublicKey(key))).toBe(true);
  });

  it("verifies with the certificate, and not with a different key (wechatpay-java)", () => {
    const cert = new X509Certificate(javaPki.merchant_certificate_pem).publicKey;
    expect(rsaVerify(javaPki.rsa_case.message, javaPki.rsa_case.signature_base64, cert)).toBe(true);
    expect(rsaVerify(javaPki.rsa_case.message, javaPki.rsa_case.signature_base64, javaPlatformKey.publicKey)).toBe(
      false,
    );
  });

  it.each([
    ["non-base64", "not base64!"],
    ["empty", ""],
    ["truncated", goRsa.signature_base64.slice(0, 40)],
  ])("returns false, never throws, for a %s signature", (_name, signature) => {
    expect(rsaVerify(goRsa.message, signature, goKey.publicKey)).toBe(false);
  });

  it("refuses keys that are not RSA private keys", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(rsaSign("x", ec.privateKey)).toMatchObject({ ok: false, error: { code: "CONFIG_INVALID" } });
    expect(rsaSign("x", goKey.publicKey)).toMatchObject({ ok: false, error: { code: "CONFIG_INVALID" } });
    expect(rsaVerify("x", goRsa.signature_base64, ec.publicKey)).toBe(false);
  });
});

describe("buildAuthorization", () => {
  it.each(derived.cases)("produces the DERIVED header fields for $method $canonical_url", (c) => {
    const built = buildAuthorization({
      mchid: derived.mchid,
      serialNo: derived.serial_no,
      privateKey: goKey.privateKey,
      method: c.method,
      pathWithQuery: c.canonical_url,
      body: c.body,
      timestamp: c.timestamp,
      nonce: c.nonce_str,
    });
    if (!built.ok) throw new Error(built.error.detail);
    // Field order differs between SDKs and is not significant; ours follows WeChat's documentation.
    expect(built.value).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="[^"]+",nonce_str="[^"]+",signature="[^"]+",timestamp="\d+",serial_no="[^"]+"$/,
    );
    expect(parseAuthorization(built.value)).toEqual(parseAuthorization(c.authorization));
  });

  it("makes a fresh nonce and the current timestamp by default", () => {
    const input = {
      mchid: "1900000100",
      serialNo: "ABC123",
      privateKey: goKey.privateKey,
      method: "GET",
      pathWithQuery: "/v3/certificates",
      body: "",
    };
    const a = parseAuthorization((buildAuthorization(input) as { value: string }).value);
    const b = parseAuthorization((buildAuthorization(input) as { value: string }).value);
    if (!a.ok || !b.ok) throw new Error("unparseable");
    expect(a.value.nonceStr).toMatch(/^[0-9A-F]{32}$/);
    expect(a.value.nonceStr).not.toBe(b.value.nonceStr);
    expect(Math.abs(Number(a.value.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it.each([
    ["a quote in mchid", { mchid: '19"00' }],
    ["a newline in serial_no", { serialNo: "AB\r\nX-Evil: 1" }],
    ["an empty nonce", { nonce: "" }],
    ["a public key", { privateKey: goKey.publicKey }],
  ])("refuses %s with CONFIG_INVALID", (_name, override) => {
    const input = {
      mchid: "1900000100",
      serialNo: "ABC123",
      privateKey: goKey.privateKey,
      method: "GET",
      pathWithQuery: "/",
      body: "",
      ...override,
    };
    expect(buildAuthorization(input)).toMatchObject({ ok: false, error: { kind: "config", code: "CONFIG_INVALID" } });
  });
});

describe("parseAuthorization", () => {
  const fields = { mchid: "1900000100", nonceStr: "N1", signature: "c2ln", timestamp: "1554208460", serialNo: "ABC" };

  it.each([
    [
      "documentation order",
      'WECHATPAY2-SHA256-RSA2048 mchid="1900000100",nonce_str="N1",signature="c2ln",timestamp="1554208460",serial_no="ABC"',
    ],
    [
      "wechatpay-go order",
      'WECHATPAY2-SHA256-RSA2048 mchid="1900000100",nonce_str="N1",timestamp="1554208460",serial_no="ABC",signature="c2ln"',
    ],
    [
      "axios-plugin order, spaces",
      'WECHATPAY2-SHA256-RSA2048 mchid="1900000100", serial_no="ABC", timestamp="1554208460", nonce_str="N1", signature="c2ln"',
    ],
  ])("reads the %s", (_name, header) => {
    expect(parseAuthorization(header)).toEqual({ ok: true, value: fields });
  });

  it.each([
    ["empty", ""],
    ["another scheme", 'WECHATPAY2-SM2-WITH-SM3 mchid="1",nonce_str="N",signature="s",timestamp="1",serial_no="A"'],
    ["a missing field", 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="N",signature="s",timestamp="1"'],
    [
      "a duplicate field",
      'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="N",signature="s",timestamp="1",serial_no="A"',
    ],
    [
      "an unknown field",
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="N",signature="s",timestamp="1",serial_no="A",x="y"',
    ],
    ["an empty value", 'WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="N",signature="s",timestamp="1",serial_no="A"'],
    ["an unquoted value", 'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="N",signature="s",timestamp="1",serial_no="A"'],
    [
      "a non-numeric timestamp",
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="N",signature="s",timestamp="now",serial_no="A"',
    ],
    [
      "__proto__ as a field",
      'WECHATPAY2-SHA256-RSA2048 __proto__="1",nonce_str="N",signature="s",timestamp="1",serial_no="A"',
    ],
    ["an oversized header", `WECHATPAY2-SHA256-RSA2048 mchid="${"1".repeat(5000)}"`],
  ])("refuses %s with AUTHORIZATION_INVALID", (_name, header) => {
    expect(parseAuthorization(header)).toMatchObject({
      ok: false,
      error: { kind: "verification", code: "AUTHORIZATION_INVALID" },
    });
  });
});

describe("verifyAuthorization (gateway side)", () => {
  const c = derived.cases[0]!;
  const parsed = parseAuthorization(c.authorization);
  if (!parsed.ok) throw new Error("vector does not parse");

  it("accepts the DERIVED request with the merchant public key", () => {
    expect(
      verifyAuthorization(
        parsed.value,
        { method: c.method, pathWithQuery: c.canonical_url, body: c.body },
        goKey.publicKey,
      ),
    ).toBe(true);
  });

  it.each([
    ["another body", { body: c.body.replace("888", "889") }],
    ["another path", { pathWithQuery: `${c.canonical_url}?x=1` }],
    ["another method", { method: "PUT" }],
  ])("refuses %s", (_name, override) => {
    const request = { method: c.method, pathWithQuery: c.canonical_url, body: c.body, ...override };
    expect(verifyAuthorization(parsed.value, request, goKey.publicKey)).toBe(false);
  });

  it("refuses the right request under another key", () => {
    expect(
      verifyAuthorization(
        parsed.value,
        { method: c.method, pathWithQuery: c.canonical_url, body: c.body },
        axiosKey.publicKey,
      ),
    ).toBe(false);
  });
});
