import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AEAD_ALGORITHM, decryptResource, encryptResource, type EncryptedResource } from "./aead";
import derived from "./fixtures/DERIVED.refund_notification_v3.json";
import axios from "./fixtures/wechatpay-axios-plugin.json";
import goAes from "./fixtures/wechatpay-go.aes_test.json";
import goNotify from "./fixtures/wechatpay-go.notify_test.json";
import java from "./fixtures/wechatpay-java.aead_and_certificates.json";

const resource = (ciphertext: string, nonce: string, associated_data: string): EncryptedResource => ({
  algorithm: AEAD_ALGORITHM,
  ciphertext,
  nonce,
  associated_data,
});
const goNotifyResource = JSON.parse(goNotify.body).resource as EncryptedResource;
const derivedResource = JSON.parse(derived.body).resource as EncryptedResource;
const javaCertificate = java.certificates_download_response.data[0]!.encrypt_certificate;
const javaCase = resource(java.aead_case.ciphertext_b64, java.aead_case.nonce, java.aead_case.associated_data);
const sealed = Buffer.from(java.aead_case.ciphertext_b64, "base64");
const b64 = (bytes: Buffer) => bytes.toString("base64");

describe("decryptResource known answers", () => {
  it.each<[string, EncryptedResource, string, string]>([
    [
      "wechatpay-go aes_test (16-byte key: AES-128-GCM)",
      resource(goAes.ciphertext_b64, goAes.nonce, goAes.associated_data),
      goAes.key,
      goAes.plaintext,
    ],
    [
      "wechatpay-go notify_test resource (16-byte key)",
      goNotifyResource,
      goNotify.apiv3_key,
      goNotify.expected_plaintext,
    ],
    ["wechatpay-java AeadAesCipherTest (AES-256-GCM)", javaCase, java.apiv3_key, java.aead_case.plaintext],
    ["wechatpay-java downloaded certificate", javaCertificate, java.apiv3_key, java.expected_decrypted_certificate_pem],
    ["DERIVED refund notification resource", derivedResource, derived.apiv3_key, derived.expected_plaintext],
    ...axios.aes_gcm_cases.map(
      (c, i) =>
        [`axios-plugin case ${i} (16-byte IV)`, resource(c.ciphertext_b64, c.iv, c.aad), c.key, c.plaintext] as [
          string,
          EncryptedResource,
          string,
          string,
        ],
    ),
  ])("%s", (_name, input, key, plaintext) => {
    expect(decryptResource(input, key)).toEqual({ ok: true, value: plaintext });
  });

  it("treats a missing associated_data as empty", () => {
    const c = axios.aes_gcm_cases[1]!;
    expect(decryptResource({ algorithm: AEAD_ALGORITHM, ciphertext: c.ciphertext_b64, nonce: c.iv }, c.key)).toEqual({
      ok: true,
      value: "",
    });
  });
});

describe("encryptResource known answers (GCM is deterministic for a given nonce)", () => {
  it.each<[string, string, string, string, string, string]>([
    [
      "wechatpay-java",
      java.aead_case.plaintext,
      java.apiv3_key,
      java.aead_case.nonce,
      java.aead_case.associated_data,
      java.aead_case.ciphertext_b64,
    ],
    ["wechatpay-go", goAes.plaintext, goAes.key, goAes.nonce, goAes.associated_data, goAes.ciphertext_b64],
    [
      "DERIVED",
      derived.expected_plaintext,
      derived.apiv3_key,
      derivedResource.nonce,
      "refund",
      derivedResource.ciphertext,
    ],
    ...axios.aes_gcm_cases.map((c, i): [string, string, string, string, string, string] => [
      `axios-plugin ${i}`,
      c.plaintext,
      c.key,
      c.iv,
      c.aad,
      c.ciphertext_b64,
    ]),
  ])("%s", (_name, plaintext, key, nonce, associatedData, ciphertext) => {
    expect(encryptResource(plaintext, key, { nonce, associatedData })).toEqual({
      ok: true,
      value: { algorithm: AEAD_ALGORITHM, ciphertext, nonce, associated_data: associatedData },
    });
  });

  it("round-trips with a fresh 12-character nonce", () => {
    const encrypted = encryptResource("退款成功 ✓", java.apiv3_key, { associatedData: "refund" });
    if (!encrypted.ok) throw new Error(encrypted.error.detail);
    expect(encrypted.value.nonce).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(decryptResource(encrypted.value, java.apiv3_key)).toEqual({ ok: true, value: "退款成功 ✓" });
  });
});

describe("decryptResource refuses hostile input with a typed error", () => {
  const flipped = Buffer.from(sealed);
  flipped[0] = flipped[0]! ^ 0x01;
  const wrongTag = Buffer.concat([sealed.subarray(0, sealed.length - 16), Buffer.alloc(16)]);
  // Valid GCM under the right key, but the plaintext is not UTF-8.
  const notUtf8 = (() => {
    const cipher = createCipheriv("aes-256-gcm", Buffer.from(java.apiv3_key), Buffer.from("uluk4a9R25RW"));
    cipher.setAAD(Buffer.from("x"));
    return b64(Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe, 0xc0])), cipher.final(), cipher.getAuthTag()]));
  })();

  it.each([
    [
      "the wrong key (wechatpay-go testAPIv3Key1111)",
      resource(goAes.ciphertext_b64, goAes.nonce, goAes.associated_data),
      "testAPIv3Key1111",
      "DECRYPTION_FAILED",
    ],
    ["another 32-byte key", javaCase, "b".repeat(32), "DECRYPTION_FAILED"],
    [
      "the wrong associated data (wechatpay-java)",
      { ...javaCase, associated_data: "bad-associatedData" },
      java.apiv3_key,
      "DECRYPTION_FAILED",
    ],
    ["the wrong nonce (wechatpay-java)", { ...javaCase, nonce: "bad-4a9R25RW" }, java.apiv3_key, "DECRYPTION_FAILED"],
    [
      "128 zero bytes (wechatpay-java)",
      { ...javaCase, ciphertext: b64(Buffer.alloc(128)) },
      java.apiv3_key,
      "DECRYPTION_FAILED",
    ],
    ["a flipped ciphertext bit", { ...javaCase, ciphertext: b64(flipped) }, java.apiv3_key, "DECRYPTION_FAILED"],
    ["a wrong tag", { ...javaCase, ciphertext: b64(wrongTag) }, java.apiv3_key, "DECRYPTION_FAILED"],
    [
      "a ciphertext truncated by one byte",
      { ...javaCase, ciphertext: b64(sealed.subarray(0, -1)) },
      java.apiv3_key,
      "DECRYPTION_FAILED",
    ],
    [
      "a ciphertext truncated below the tag",
      { ...javaCase, ciphertext: b64(sealed.subarray(0, 15)) },
      java.apiv3_key,
      "CIPHERTEXT_TOO_SHORT",
    ],
    [
      "wechatpay-go's short ciphertext SGVsbG8gV29ybGQK",
      { ...javaCase, ciphertext: "SGVsbG8gV29ybGQK" },
      java.apiv3_key,
      "CIPHERTEXT_TOO_SHORT",
    ],
    ["wechatpay-go's 'invalid cipher'", { ...javaCase, ciphertext: "invalid cipher" }, java.apiv3_key, "NOT_BASE64"],
    [
      "unpadded base64",
      { ...javaCase, ciphertext: java.aead_case.ciphertext_b64.replace(/=+$/, "") },
      java.apiv3_key,
      "NOT_BASE64",
    ],
    ["an empty ciphertext", { ...javaCase, ciphertext: "" }, java.apiv3_key, "NOT_BASE64"],
    ["an oversized ciphertext", { ...javaCase, ciphertext: "A".repeat(70_000) }, java.apiv3_key, "BODY_TOO_LARGE"],
    ["another algorithm name", { ...javaCase, algorithm: "AEAD_AES_128_GCM" }, java.apiv3_key, "UNSUPPORTED_ALGORITHM"],
    ["an empty algorithm name", { ...javaCase, algorithm: "" }, java.apiv3_key, "UNSUPPORTED_ALGORITHM"],
    ["wechatpay-go's key 'not a aes key'", javaCase, "not a aes key", "APIV3_KEY_INVALID"],
    ["a 31-byte key", javaCase, "a".repeat(31), "APIV3_KEY_INVALID"],
    ["an empty nonce", { ...javaCase, nonce: "" }, java.apiv3_key, "MALFORMED"],
    ["a plaintext that is not UTF-8", resource(notUtf8, "uluk4a9R25RW", "x"), java.apiv3_key, "MALFORMED"],
  ])("%s → %s", (_name, input, key, code) => {
    expect(decryptResource(input, key)).toMatchObject({ ok: false, error: { code } });
  });

  it("refuses to encrypt under a key of the wrong length", () => {
    expect(encryptResource("x", "short")).toMatchObject({
      ok: false,
      error: { kind: "config", code: "APIV3_KEY_INVALID" },
    });
  });
});
