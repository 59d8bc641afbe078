import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, loadMerchantCredentialsFromEnv, requireV3Credentials } from "./config";
import goRsa from "./v3/fixtures/wechatpay-go.rsa_sign_verify.json";

const APIV3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const APIV2_KEY = "192006250b4c09247ec02edce69f6a2d";
const P12_PASSWORD = "p12-secret-password";
const dir = mkdtempSync(path.join(tmpdir(), "wechatpay-config-"));
const keyFile = path.join(dir, "apiclient_key.pem");
const pubFile = path.join(dir, "pub_key.pem");
const p12File = path.join(dir, "apiclient_cert.p12");
writeFileSync(keyFile, goRsa.private_key_pkcs8_pem);
writeFileSync(pubFile, goRsa.public_key_pem);
writeFileSync(p12File, Buffer.from([0x30, 0x82, 0x01, 0x02]));

const full = {
  WECHATPAY_MCHID: "1900000100",
  WECHATPAY_APPID: "wxd678efh567hg6787",
  WECHATPAY_MERCHANT_SERIAL_NO: "f5765756002fdd77",
  WECHATPAY_MERCHANT_PRIVATE_KEY: keyFile,
  WECHATPAY_APIV3_KEY: APIV3_KEY,
  WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0114232134912410000000000000TEST",
  WECHATPAY_PUBLIC_KEY: pubFile,
  WECHATPAY_APIV2_KEY: APIV2_KEY,
  WECHATPAY_APICLIENT_P12: p12File,
  WECHATPAY_APICLIENT_P12_PASSWORD: P12_PASSWORD,
};

function load(env: Record<string, string | undefined>) {
  const result = loadMerchantCredentialsFromEnv(env);
  if (!result.ok) throw new Error(result.error.detail);
  if (!result.value) throw new Error("not configured");
  return result.value;
}

describe("loadMerchantCredentialsFromEnv", () => {
  it("says 'not configured' when WECHATPAY_MCHID is unset or empty", () => {
    expect(loadMerchantCredentialsFromEnv({})).toEqual({ ok: true, value: undefined });
    expect(loadMerchantCredentialsFromEnv({ WECHATPAY_MCHID: "" })).toEqual({ ok: true, value: undefined });
  });

  it("reads every variable, with keys from files", () => {
    const c = load(full);
    expect(c).toMatchObject({
      mchid: "1900000100",
      appid: "wxd678efh567hg6787",
      baseUrl: DEFAULT_BASE_URL,
      merchantSerialNo: "F5765756002FDD77",
      apiV3Key: APIV3_KEY,
      publicKeyId: full.WECHATPAY_PUBLIC_KEY_ID,
      apiV2Key: APIV2_KEY,
      p12Password: P12_PASSWORD,
      signType: "HMAC-SHA256",
    });
    expect(c.merchantPrivateKey?.type).toBe("private");
    expect(c.publicKey?.type).toBe("public");
    expect(c.p12).toEqual(Buffer.from([0x30, 0x82, 0x01, 0x02]));
    expect(requireV3Credentials(c).ok).toBe(true);
  });

  it("accepts inline PEM, also with the literal \\n an env file leaves", () => {
    const oneLine = goRsa.private_key_pkcs8_pem.replace(/\n/g, "\\n");
    for (const pem of [goRsa.private_key_pkcs8_pem, oneLine]) {
      expect(load({ ...full, WECHATPAY_MERCHANT_PRIVATE_KEY: pem }).merchantPrivateKey?.asymmetricKeyType).toBe("rsa");
    }
  });

  it("defaults the p12 password to the merchant ID, and takes partner mode, sign type and base URL", () => {
    const c = load({
      ...full,
      WECHATPAY_APICLIENT_P12_PASSWORD: undefined,
      WECHATPAY_SUB_MCHID: "1900000109",
      WECHATPAY_APIV2_SIGN_TYPE: "MD5",
      WECHATPAY_BASE_URL: "http://127.0.0.1:4010/",
    });
    expect(c).toMatchObject({
      p12Password: "1900000100",
      subMchid: "1900000109",
      signType: "MD5",
      baseUrl: "http://127.0.0.1:4010",
    });
  });

  it.each([
    ["an APIv3 key of 31 bytes", { WECHATPAY_APIV3_KEY: APIV3_KEY.slice(1) }, "WECHATPAY_APIV3_KEY"],
    [
      "an APIv3 key of 32 characters but more bytes",
      { WECHATPAY_APIV3_KEY: `密${APIV3_KEY.slice(1)}` },
      "WECHATPAY_APIV3_KEY",
    ],
    ["an APIv2 key of the wrong length", { WECHATPAY_APIV2_KEY: "short-secret" }, "WECHATPAY_APIV2_KEY"],
    ["a merchant ID that is not digits", { WECHATPAY_MCHID: "19000x0100" }, "WECHATPAY_MCHID"],
    ["a serial that is not hex", { WECHATPAY_MERCHANT_SERIAL_NO: "not-hex!" }, "WECHATPAY_MERCHANT_SERIAL_NO"],
    ["a base URL that is not http(s)", { WECHATPAY_BASE_URL: "ftp://example.com" }, "WECHATPAY_BASE_URL"],
    ["an unknown sign type", { WECHATPAY_APIV2_SIGN_TYPE: "SHA1" }, "WECHATPAY_APIV2_SIGN_TYPE"],
    ["a public key id without the key", { WECHATPAY_PUBLIC_KEY: undefined }, "WECHATPAY_PUBLIC_KEY"],
    [
      "a missing key file",
      { WECHATPAY_MERCHANT_PRIVATE_KEY: path.join(dir, "missing.pem") },
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
    ],
    [
      "a key pasted without its BEGIN line",
      { WECHATPAY_MERCHANT_PRIVATE_KEY: goRsa.private_key_pkcs8_pem.split("\n").slice(1, -1).join("") },
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
    ],
    [
      "a PEM that is not a key",
      { WECHATPAY_MERCHANT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" },
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
    ],
    [
      "a public key given as the private key",
      { WECHATPAY_MERCHANT_PRIVATE_KEY: goRsa.public_key_pem },
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
    ],
    [
      "an EC private key",
      {
        WECHATPAY_MERCHANT_PRIVATE_KEY: generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
      },
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
    ],
    ["a missing p12 file", { WECHATPAY_APICLIENT_P12: path.join(dir, "missing.p12") }, "WECHATPAY_APICLIENT_P12"],
  ])("refuses %s with CONFIG_INVALID naming the variable, never its value", (_name, override, variable) => {
    const result = loadMerchantCredentialsFromEnv({ ...full, ...override });
    expect(result).toMatchObject({ ok: false, error: { kind: "config", code: "CONFIG_INVALID" } });
    if (result.ok) return;
    expect(result.error.detail).toContain(variable);
    for (const secret of [APIV3_KEY, APIV3_KEY.slice(1), APIV2_KEY, "short-secret", P12_PASSWORD, "MIIEvgIBADANBgkq"]) {
      expect(result.error.detail).not.toContain(secret);
    }
  });
});

describe("credentials never leak their secrets", () => {
  const c = load(full);
  const secrets = [APIV3_KEY, APIV2_KEY, P12_PASSWORD, "MIIEvgIBADANBgkq", "BEGIN", '"type":"Buffer"'];

  it.each([
    ["JSON.stringify", () => JSON.stringify(c)],
    ["JSON.stringify of an object holding them", () => JSON.stringify({ credentials: c })],
    ["JSON.stringify of a spread copy", () => JSON.stringify({ ...c })],
    ["util.inspect", () => inspect(c, { depth: 5 })],
    ["util.inspect of a spread copy", () => inspect({ ...c }, { depth: 5 })],
    ["template strings", () => `${inspect({ nested: { c } }, { depth: 5 })}`],
  ])("%s redacts", (_name, render) => {
    const text = render();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
    expect(text).toContain("1900000100");
  });

  it("leaves unset secrets out instead of pretending they exist", () => {
    const bare = load({ WECHATPAY_MCHID: "1900000100" });
    expect(JSON.parse(JSON.stringify(bare))).toEqual({
      mchid: "1900000100",
      baseUrl: DEFAULT_BASE_URL,
      signType: "HMAC-SHA256",
    });
  });
});

describe("requireV3Credentials", () => {
  it("names what APIv3 is missing", () => {
    const result = requireV3Credentials(load({ WECHATPAY_MCHID: "1900000100", WECHATPAY_APIV3_KEY: APIV3_KEY }));
    expect(result).toMatchObject({ ok: false, error: { code: "CONFIG_MISSING" } });
    expect(!result.ok && result.error.detail).toBe(
      "APIv3 needs WECHATPAY_MERCHANT_SERIAL_NO, WECHATPAY_MERCHANT_PRIVATE_KEY",
    );
  });
});
