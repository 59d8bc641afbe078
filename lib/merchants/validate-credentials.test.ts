import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { keyMaterial } from "../../tests/fixtures/db-merchants";
import { makeTestPki } from "../wechatpay/v2/fixtures/tls-gateway";
import { validateCredentialUpload, type CredentialUpload } from "./validate-credentials";

const MCHID = "1900000109";
const { upload: v3 } = keyMaterial(MCHID);
const ecKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const ecPrivatePem = ecKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ecPublicPem = ecKey.publicKey.export({ type: "spki", format: "pem" }).toString();
const pki = makeTestPki(MCHID);
afterAll(() => pki.cleanup());

describe("validateCredentialUpload", () => {
  it("accepts a complete APIv3 upload, normalising the serial and CRLF line ends", () => {
    const result = validateCredentialUpload(
      {
        ...v3,
        merchantSerialNo: ` ${v3.merchantSerialNo!.toLowerCase()} `,
        merchantPrivateKeyPem: v3.merchantPrivateKeyPem.replace(/\n/g, "\r\n"),
      },
      "v3",
      MCHID,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.merchantSerialNo).toBe(v3.merchantSerialNo);
    expect(result.value.secrets.merchantPrivateKeyPem).toBe(v3.merchantPrivateKeyPem);
    expect(result.value).toMatchObject({
      publicKeyId: v3.publicKeyId,
      secrets: { apiV3Key: v3.apiV3Key, apiV2Key: v3.apiV2Key },
    });
  });

  it("accepts platform-certificate mode without a public key, ignoring one sent anyway", () => {
    const result = validateCredentialUpload({ ...v3, verification: "certificates" }, "v3", MCHID);
    expect(result).toMatchObject({ ok: true, value: { publicKeyId: null, publicKeyPem: null } });
  });

  it("accepts an APIv2 upload with the p12 whose password is the merchant ID", () => {
    const result = validateCredentialUpload(
      { verification: "certificates", apiV2Key: v3.apiV2Key, p12: pki.clientP12 },
      "v2",
      MCHID,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { secrets: { apiV2Key: v3.apiV2Key, p12Base64: pki.clientP12.toString("base64") } },
    });
  });

  const cases: [string, Partial<CredentialUpload>, "v3" | "v2", Record<string, string[]>][] = [
    [
      "nothing for APIv3",
      { merchantSerialNo: "", merchantPrivateKeyPem: undefined, apiV3Key: " ", publicKeyId: "", publicKeyPem: "" },
      "v3",
      {
        merchantSerialNo: ["REQUIRED"],
        merchantPrivateKeyPem: ["REQUIRED"],
        apiV3Key: ["REQUIRED"],
        publicKeyId: ["REQUIRED"],
        publicKeyPem: ["REQUIRED"],
      },
    ],
    [
      "a serial that is not hex",
      { merchantSerialNo: "5157F09EFDC096DE15EBE81A47057A7232F1B8EZ" },
      "v3",
      { merchantSerialNo: ["SERIAL_NOT_HEX"] },
    ],
    [
      "a private key that does not parse",
      { merchantPrivateKeyPem: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----" },
      "v3",
      { merchantPrivateKeyPem: ["PRIVATE_KEY_INVALID"] },
    ],
    ["an EC private key", { merchantPrivateKeyPem: ecPrivatePem }, "v3", { merchantPrivateKeyPem: ["NOT_RSA"] }],
    ["an APIv3 key of 31 bytes", { apiV3Key: "x".repeat(31) }, "v3", { apiV3Key: ["APIV3_KEY_LENGTH"] }],
    [
      "an APIv3 key of 32 characters but more bytes",
      { apiV3Key: `${"x".repeat(31)}密` },
      "v3",
      { apiV3Key: ["APIV3_KEY_LENGTH"] },
    ],
    [
      "a public key id of another shape",
      { publicKeyId: "0123456789" },
      "v3",
      { publicKeyId: ["PUBLIC_KEY_ID_FORMAT"] },
    ],
    ["a public key that does not parse", { publicKeyPem: "garbage" }, "v3", { publicKeyPem: ["PUBLIC_KEY_INVALID"] }],
    ["an EC public key", { publicKeyPem: ecPublicPem }, "v3", { publicKeyPem: ["NOT_RSA"] }],
    ["an APIv2 key of the wrong length", { apiV2Key: "short" }, "v3", { apiV2Key: ["APIV2_KEY_LENGTH"] }],
    ["nothing for APIv2", { apiV2Key: undefined }, "v2", { apiV2Key: ["REQUIRED"], p12: ["REQUIRED"] }],
    ["a p12 that is not one", { p12: Buffer.from("not a p12") }, "v3", { p12: ["P12_INVALID"] }],
    [
      "a p12 with the wrong password",
      { p12: pki.clientP12, p12Password: "wrong" },
      "v3",
      { p12Password: ["P12_INVALID"] },
    ],
    ["a legacy RC2-40 p12", { p12: pki.legacyP12 }, "v3", { p12: ["P12_LEGACY"] }],
  ];

  it.each(cases)("refuses %s with field codes", (_, change, apiVersion, expected) => {
    expect(validateCredentialUpload({ ...v3, ...change }, apiVersion, MCHID)).toEqual({ ok: false, error: expected });
  });
});
