import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptResource } from "./aead";
import {
  buildCertificatesResponse,
  decryptCertificates,
  normalizeSerial,
  parseCertificate,
  verifyCertificatesResponse,
} from "./certificates";
import { axiosKey, goKey, javaPlatformKey } from "./fixtures/keys";
import java from "./fixtures/wechatpay-java.aead_and_certificates.json";
import { signResponse } from "./verify";

const apiV3Key = java.apiv3_key;
const now = Date.parse("2026-01-01T00:00:00Z");
const clock = () => now;
const timestamp = String(now / 1000);
const validity = { effectiveTime: "2025-01-01T00:00:00+08:00", expireTime: "2030-01-01T00:00:00+08:00" };
const opensslCert = { pem: javaPlatformKey.opensslCertificatePem, ...validity };
const axiosCert = { pem: axiosKey.certificatePem, ...validity };
const signer = { privateKey: javaPlatformKey.privateKey, serial: javaPlatformKey.opensslSerial };

/** A certificates body with chosen serial_no and plaintext, signed by `signer`. */
function customBody(entries: { serial_no: string; plaintext: string }[]) {
  const data = entries.map((e) => {
    const encrypted = encryptResource(e.plaintext, apiV3Key, { associatedData: "certificate" });
    if (!encrypted.ok) throw new Error("cannot encrypt");
    return {
      serial_no: e.serial_no,
      effective_time: validity.effectiveTime,
      expire_time: validity.expireTime,
      encrypt_certificate: encrypted.value,
    };
  });
  const body = JSON.stringify({ data });
  const headers = signResponse({ body, ...signer, timestamp });
  if (!headers.ok) throw new Error("cannot sign");
  return { headers: headers.value, body };
}

describe("normalizeSerial", () => {
  it.each([
    ["5dea10ef55877e3cf6c33255c2e7defff7e427ec", "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"],
    ["00D7CE59D1F522D701", "D7CE59D1F522D701"],
    ["0A1B2C3D4E5F60718293", "A1B2C3D4E5F60718293"],
    ["0000", "0"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });
});

describe("decryptCertificates", () => {
  it("decrypts wechatpay-java's GET /v3/certificates body to the real Tenpay certificate", () => {
    const result = decryptCertificates(JSON.stringify(java.certificates_download_response), apiV3Key);
    if (!result.ok) throw new Error(result.error.detail);
    expect(result.value).toHaveLength(1);
    const [certificate] = result.value;
    expect(certificate?.serialNo).toBe("5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC");
    expect(certificate?.effectiveTime).toBe(Date.parse("2023-09-19T23:15:58+08:00"));
    expect(certificate?.expireTime).toBe(Date.parse("2028-09-17T23:15:58+08:00"));
    const expected = new X509Certificate(java.expected_decrypted_certificate_pem).publicKey;
    expect(certificate?.publicKey.equals(expected)).toBe(true);
  });

  it.each([
    ["lower-case serial_no", javaPlatformKey.opensslSerial.toLowerCase()],
    ["serial_no padded with zeros", `000${javaPlatformKey.opensslSerial}`],
    ["serial_no without its leading zero", javaPlatformKey.opensslSerial.replace(/^0+/, "")],
  ])("matches a certificate to its %s", (_name, serial_no) => {
    const { body } = customBody([{ serial_no, plaintext: javaPlatformKey.opensslCertificatePem }]);
    expect(decryptCertificates(body, apiV3Key).ok).toBe(true);
  });

  it.each([
    ["not JSON", "{", "MALFORMED"],
    ["the wrong shape", JSON.stringify({ data: [{ serial_no: "ABC" }] }), "MALFORMED"],
    [
      "a non-hex serial_no",
      JSON.stringify({ data: [{ ...java.certificates_download_response.data[0], serial_no: "../x" }] }),
      "MALFORMED",
    ],
    ["an oversized body", JSON.stringify({ data: [], pad: "x".repeat(70_000) }), "BODY_TOO_LARGE"],
    [
      "a certificate under a serial_no that is not its own",
      customBody([{ serial_no: goKey.serial, plaintext: javaPlatformKey.opensslCertificatePem }]).body,
      "CERTIFICATE_INVALID",
    ],
    [
      "a decrypted text that is not a certificate",
      customBody([{ serial_no: "ABCDEF", plaintext: "hello" }]).body,
      "CERTIFICATE_INVALID",
    ],
  ])("refuses %s → %s", (_name, body, code) => {
    expect(decryptCertificates(body, apiV3Key)).toMatchObject({ ok: false, error: { code } });
  });

  it("refuses a body encrypted under another APIv3 key", () => {
    const body = JSON.stringify(java.certificates_download_response);
    expect(decryptCertificates(body, "x".repeat(32))).toMatchObject({
      ok: false,
      error: { code: "DECRYPTION_FAILED" },
    });
  });

  it("parseCertificate refuses garbage PEM without throwing", () => {
    expect(parseCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "AB")).toMatchObject({
      ok: false,
      error: { code: "CERTIFICATE_INVALID" },
    });
  });
});

describe("verifyCertificatesResponse (bootstrapping, as the SDKs do)", () => {
  it("verifies a download with a certificate it contains", async () => {
    const built = buildCertificatesResponse({ certificates: [opensslCert, axiosCert], apiV3Key, signer, timestamp });
    if (!built.ok) throw new Error(built.error.detail);
    const result = await verifyCertificatesResponse(built.value, apiV3Key, { now: clock });
    if (!result.ok) throw new Error(result.error.detail);
    // Kept as declared (with its leading zero) so that Wechatpay-Serial names it the way WeChat does.
    expect(result.value.map((c) => c.serialNo).sort()).toEqual([javaPlatformKey.opensslSerial, axiosKey.serial].sort());
  });

  it("refuses wechatpay-java's vector as a download: it carries no signature headers", async () => {
    const result = await verifyCertificatesResponse(
      { headers: {}, body: JSON.stringify(java.certificates_download_response) },
      apiV3Key,
    );
    expect(result).toMatchObject({ ok: false, error: { code: "HEADERS_MISSING" } });
  });

  it("refuses a download signed by a key it does not contain, unless that key is already trusted", async () => {
    const built = buildCertificatesResponse({
      certificates: [axiosCert],
      apiV3Key,
      signer: { privateKey: javaPlatformKey.privateKey, serial: "PUB_KEY_ID_0114232134912410000000000000TEST" },
      timestamp,
    });
    if (!built.ok) throw new Error(built.error.detail);
    expect(await verifyCertificatesResponse(built.value, apiV3Key, { now: clock })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_SERIAL" },
    });
    const trusted = async (serial: string) =>
      serial.startsWith("PUB_KEY_ID_") ? javaPlatformKey.publicKey : undefined;
    expect((await verifyCertificatesResponse(built.value, apiV3Key, { now: clock, trusted })).ok).toBe(true);
  });

  it("refuses a download signed in the name of a contained certificate by another key", async () => {
    const built = buildCertificatesResponse({
      certificates: [opensslCert],
      apiV3Key,
      signer: { privateKey: axiosKey.privateKey, serial: javaPlatformKey.opensslSerial },
      timestamp,
    });
    if (!built.ok) throw new Error(built.error.detail);
    expect(await verifyCertificatesResponse(built.value, apiV3Key, { now: clock })).toMatchObject({
      ok: false,
      error: { code: "SIGNATURE_INVALID" },
    });
  });

  it("refuses a stale download", async () => {
    const built = buildCertificatesResponse({ certificates: [opensslCert], apiV3Key, signer, timestamp });
    if (!built.ok) throw new Error(built.error.detail);
    const later = () => now + 301_000;
    expect(await verifyCertificatesResponse(built.value, apiV3Key, { now: later })).toMatchObject({
      ok: false,
      error: { code: "TIMESTAMP_SKEW" },
    });
  });
});
