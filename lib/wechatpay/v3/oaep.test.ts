import { constants, generateKeyPairSync, publicEncrypt, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { axiosKey, javaPlatformKey, readOpenssl } from "./fixtures/keys";
import { decryptSensitive, encryptSensitive } from "./oaep";

describe("decryptSensitive known answers (openssl pkeyutl, OAEP SHA-1; fixtures/openssl/make.sh)", () => {
  it.each([
    ["bank_account", readOpenssl("bank_account.oaep.b64").trim(), readOpenssl("bank_account.txt")],
    ["real_name", readOpenssl("real_name.oaep.b64").trim(), readOpenssl("real_name.txt")],
  ])("%s", (_name, ciphertext, plaintext) => {
    expect(decryptSensitive(ciphertext, javaPlatformKey.privateKey)).toEqual({ ok: true, value: plaintext });
  });
});

describe("encryptSensitive", () => {
  it.each([
    ["the WeChat Pay public key", javaPlatformKey.publicKey],
    ["a platform certificate's key", new X509Certificate(javaPlatformKey.opensslCertificatePem).publicKey],
  ])("round-trips with %s", (_name, key) => {
    const sealed = encryptSensitive("张三", key);
    if (!sealed.ok) throw new Error(sealed.error.detail);
    expect(decryptSensitive(sealed.value, javaPlatformKey.privateKey)).toEqual({ ok: true, value: "张三" });
  });

  it("is randomised: the same name never encrypts to the same text twice", () => {
    const a = encryptSensitive("6214830901234567", javaPlatformKey.publicKey);
    const b = encryptSensitive("6214830901234567", javaPlatformKey.publicKey);
    expect(a.ok && b.ok && a.value !== b.value).toBe(true);
  });

  it.each([
    ["a field longer than OAEP allows (215 bytes)", "x".repeat(215), javaPlatformKey.publicKey],
    ["a key that is not RSA", "x", generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey],
  ])("refuses %s with ENCRYPTION_FAILED", (_name, plaintext, key) => {
    expect(encryptSensitive(plaintext, key)).toMatchObject({ ok: false, error: { code: "ENCRYPTION_FAILED" } });
  });

  it("accepts the longest field OAEP allows (214 bytes)", () => {
    expect(encryptSensitive("x".repeat(214), javaPlatformKey.publicKey).ok).toBe(true);
  });
});

describe("decryptSensitive refuses hostile input", () => {
  const sealed = readOpenssl("real_name.oaep.b64").trim();
  const bytes = Buffer.from(sealed, "base64");
  const tampered = Buffer.from(bytes);
  tampered[10] = tampered[10]! ^ 0xff;
  const sha256 = publicEncrypt(
    { key: javaPlatformKey.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    Buffer.from("张三"),
  ).toString("base64");

  it.each([
    ["the wrong private key", sealed, axiosKey.privateKey, "DECRYPTION_FAILED"],
    ["a tampered ciphertext", tampered.toString("base64"), javaPlatformKey.privateKey, "DECRYPTION_FAILED"],
    [
      "a truncated ciphertext",
      bytes.subarray(0, 100).toString("base64"),
      javaPlatformKey.privateKey,
      "DECRYPTION_FAILED",
    ],
    ["OAEP with SHA-256 instead of SHA-1", sha256, javaPlatformKey.privateKey, "DECRYPTION_FAILED"],
    ["non-base64", "***", javaPlatformKey.privateKey, "NOT_BASE64"],
    ["a public key where the private key belongs", sealed, javaPlatformKey.publicKey, "CONFIG_INVALID"],
  ])("%s → %s", (_name, ciphertext, key, code) => {
    expect(decryptSensitive(ciphertext, key)).toMatchObject({ ok: false, error: { code } });
  });
});
