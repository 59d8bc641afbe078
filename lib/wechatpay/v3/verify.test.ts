import { X509Certificate, type KeyObject } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import derived from "./fixtures/DERIVED.refund_notification_v3.json";
import { axiosKey, javaPlatformKey, readOpenssl } from "./fixtures/keys";
import goNotify from "./fixtures/wechatpay-go.notify_test.json";
import { headerValue, signResponse, verifySignature, type HeaderSource, type KeyResolver } from "./verify";

const resolverOf =
  (keys: Record<string, KeyObject>): KeyResolver =>
  async (serial) =>
    keys[serial];

const derivedKeys = resolverOf({ [axiosKey.serial]: axiosKey.publicKey, [axiosKey.publicKeyId]: axiosKey.publicKey });
const derivedNow = () => derived.now_unix * 1000;
const certHeaders = derived.headers_platform_cert_mode;

describe("verifySignature known answers", () => {
  const opensslSerial = javaPlatformKey.opensslSerial;
  it.each([
    [
      "wechatpay-go notify_test (certificate D7CE59D1F522D701)",
      goNotify.headers,
      goNotify.body,
      resolverOf({
        [goNotify.headers["Wechatpay-Serial"]]: new X509Certificate(goNotify.platform_certificate_pem).publicKey,
      }),
      goNotify.now_unix,
    ],
    ["DERIVED refund notification, certificate mode", certHeaders, derived.body, derivedKeys, derived.now_unix],
    [
      "DERIVED refund notification, public key mode",
      derived.headers_public_key_mode,
      derived.body,
      derivedKeys,
      derived.now_unix,
    ],
    [
      "openssl dgst -sha256 -sign over a refund answer (fixtures/openssl/make.sh)",
      {
        "Wechatpay-Timestamp": "1718000000",
        "Wechatpay-Nonce": "OPENSSLRESPONSENONCE000000000001",
        "Wechatpay-Serial": opensslSerial,
        "Wechatpay-Signature": readOpenssl("response_signature.b64").trim(),
      },
      readOpenssl("response_body.json"),
      resolverOf({ [opensslSerial]: new X509Certificate(javaPlatformKey.opensslCertificatePem).publicKey }),
      1718000000,
    ],
  ])("accepts %s", async (_name, headers, body, resolve, nowUnix) => {
    const result = await verifySignature({ headers, body }, resolve, { now: () => nowUnix * 1000 });
    expect(result).toMatchObject({ ok: true, value: { serial: headers["Wechatpay-Serial"] } });
  });

  it("accepts fetch Headers and lower-case node:http header names", async () => {
    const lower = Object.fromEntries(Object.entries(certHeaders).map(([k, v]) => [k.toLowerCase(), v]));
    for (const headers of [new Headers(certHeaders), lower]) {
      expect((await verifySignature({ headers, body: derived.body }, derivedKeys, { now: derivedNow })).ok).toBe(true);
    }
  });

  it("accepts timestamps exactly 300 s away, both ways", async () => {
    for (const offset of [-300, 300]) {
      const now = () => (derived.now_unix + offset) * 1000;
      expect((await verifySignature({ headers: certHeaders, body: derived.body }, derivedKeys, { now })).ok).toBe(true);
    }
  });
});

describe("verifySignature refuses hostile input", () => {
  const without = (name: string) => Object.fromEntries(Object.entries(certHeaders).filter(([k]) => k !== name));
  const pretty = JSON.stringify(JSON.parse(derived.body), null, 2);
  const cases: [string, HeaderSource, string, number, string][] = [
    ["no Wechatpay-Signature", without("Wechatpay-Signature"), derived.body, derived.now_unix, "HEADERS_MISSING"],
    ["no Wechatpay-Timestamp", without("Wechatpay-Timestamp"), derived.body, derived.now_unix, "HEADERS_MISSING"],
    ["no Wechatpay-Nonce", without("Wechatpay-Nonce"), derived.body, derived.now_unix, "HEADERS_MISSING"],
    ["no Wechatpay-Serial", without("Wechatpay-Serial"), derived.body, derived.now_unix, "HEADERS_MISSING"],
    ["no headers at all", {}, derived.body, derived.now_unix, "HEADERS_MISSING"],
    [
      "a non-numeric timestamp",
      { ...certHeaders, "Wechatpay-Timestamp": "1718000000.5" },
      derived.body,
      derived.now_unix,
      "HEADERS_MISSING",
    ],
    [
      "a repeated header with two values",
      { ...certHeaders, "wechatpay-serial": "OTHER" },
      derived.body,
      derived.now_unix,
      "HEADERS_MISSING",
    ],
    [
      "the SIGNTEST probe",
      { ...certHeaders, "Wechatpay-Signature": derived.probe_variant_signature },
      derived.body,
      derived.now_unix,
      "SIGNATURE_PROBE",
    ],
    ["a stale timestamp (301 s old)", certHeaders, derived.body, derived.now_unix + 301, "TIMESTAMP_SKEW"],
    ["a future timestamp (301 s ahead)", certHeaders, derived.body, derived.now_unix - 301, "TIMESTAMP_SKEW"],
    [
      "a non-base64 signature",
      { ...certHeaders, "Wechatpay-Signature": "not*base64" },
      derived.body,
      derived.now_unix,
      "NOT_BASE64",
    ],
    [
      "an unknown serial",
      { ...certHeaders, "Wechatpay-Serial": "FORGED0001" },
      derived.body,
      derived.now_unix,
      "UNKNOWN_SERIAL",
    ],
    ["a tampered body", certHeaders, derived.body.replace("EV-2018", "EV-2019"), derived.now_unix, "SIGNATURE_INVALID"],
    ["the body re-serialised after signing", certHeaders, pretty, derived.now_unix, "SIGNATURE_INVALID"],
    ["a trailing newline added to the body", certHeaders, `${derived.body}\n`, derived.now_unix, "SIGNATURE_INVALID"],
    ["another nonce", { ...certHeaders, "Wechatpay-Nonce": "X" }, derived.body, derived.now_unix, "SIGNATURE_INVALID"],
    [
      "a signature of something else",
      { ...certHeaders, "Wechatpay-Signature": goNotify.headers["Wechatpay-Signature"] },
      derived.body,
      derived.now_unix,
      "SIGNATURE_INVALID",
    ],
    [
      "an SM2 signature type",
      { ...certHeaders, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3" },
      derived.body,
      derived.now_unix,
      "SIGNATURE_INVALID",
    ],
  ];
  it.each(cases)("%s → %s", async (_name, headers, body, nowUnix, code) => {
    const result = await verifySignature({ headers, body }, derivedKeys, { now: () => nowUnix * 1000 });
    expect(result).toMatchObject({ ok: false, error: { code } });
  });

  it("refuses a signature made with another key under a known serial", async () => {
    const forged = signResponse({
      body: derived.body,
      privateKey: javaPlatformKey.privateKey,
      serial: axiosKey.serial,
      timestamp: "1718000000",
    });
    if (!forged.ok) throw new Error("cannot sign");
    const result = await verifySignature({ headers: forged.value, body: derived.body }, derivedKeys, {
      now: derivedNow,
    });
    expect(result).toMatchObject({ ok: false, error: { code: "SIGNATURE_INVALID" } });
  });

  it("treats a resolver that throws like an unknown serial", async () => {
    const throwing: KeyResolver = async () => {
      throw new Error("store down");
    };
    const result = await verifySignature({ headers: certHeaders, body: derived.body }, throwing, { now: derivedNow });
    expect(result).toMatchObject({ ok: false, error: { code: "UNKNOWN_SERIAL" } });
  });

  it("never asks the key resolver (which may download) about probes, stale or non-base64 signatures", async () => {
    const resolve = vi.fn(derivedKeys);
    const forged = { ...certHeaders, "Wechatpay-Serial": "FORGED" };
    await verifySignature(
      { headers: { ...forged, "Wechatpay-Signature": derived.probe_variant_signature }, body: "" },
      resolve,
      { now: derivedNow },
    );
    await verifySignature({ headers: forged, body: "" }, resolve, { now: () => 0 });
    await verifySignature({ headers: { ...forged, "Wechatpay-Signature": "%%%" }, body: "" }, resolve, {
      now: derivedNow,
    });
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe("signResponse (gateway side)", () => {
  it("reproduces the DERIVED notification signature byte for byte", () => {
    const signed = signResponse({
      body: derived.body,
      privateKey: axiosKey.privateKey,
      serial: certHeaders["Wechatpay-Serial"],
      timestamp: certHeaders["Wechatpay-Timestamp"],
      nonce: certHeaders["Wechatpay-Nonce"],
    });
    expect(signed).toEqual({ ok: true, value: certHeaders });
  });

  it("reproduces the openssl response signature", () => {
    const signed = signResponse({
      body: readOpenssl("response_body.json"),
      privateKey: javaPlatformKey.privateKey,
      serial: javaPlatformKey.opensslSerial,
      timestamp: "1718000000",
      nonce: "OPENSSLRESPONSENONCE000000000001",
    });
    expect(signed.ok && signed.value["Wechatpay-Signature"]).toBe(readOpenssl("response_signature.b64").trim());
  });

  it("signs with a fresh nonce and the current time, and verifies", async () => {
    const signed = signResponse({ body: "{}", privateKey: axiosKey.privateKey, serial: axiosKey.serial });
    if (!signed.ok) throw new Error("cannot sign");
    expect(signed.value["Wechatpay-Nonce"]).toMatch(/^[0-9A-F]{32}$/);
    expect((await verifySignature({ headers: signed.value, body: "{}" }, derivedKeys)).ok).toBe(true);
  });
});

describe("headerValue", () => {
  it.each([
    ["matches names case-insensitively", { "WECHATPAY-NONCE": "n" }, "n"],
    ["takes a single-element array", { "wechatpay-nonce": ["n"] }, "n"],
    ["accepts the same value repeated", { "wechatpay-nonce": ["n", "n"] }, "n"],
    ["refuses different repeated values", { "wechatpay-nonce": ["n", "m"] }, undefined],
    ["refuses an empty value", { "wechatpay-nonce": "" }, undefined],
    ["refuses an oversized value", { "wechatpay-nonce": "n".repeat(2000) }, undefined],
    [
      "refuses fetch-joined duplicates",
      new Headers([
        ["Wechatpay-Nonce", "a"],
        ["Wechatpay-Nonce", "b"],
      ]),
      undefined,
    ],
  ])("%s", (_name, headers: HeaderSource, expected) => {
    expect(headerValue(headers, "Wechatpay-Nonce")).toBe(expected);
  });
});
