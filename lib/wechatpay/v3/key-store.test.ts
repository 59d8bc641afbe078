import { createPublicKey, type KeyObject } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { err, ok } from "../../result";
import { wechatPayError } from "../errors";
import { buildCertificatesResponse, normalizeSerial } from "./certificates";
import { axiosKey, goKey, javaPlatformKey } from "./fixtures/keys";
import { PlatformKeyStore, UNKNOWN_SERIAL_COOLDOWN_MS, type CertificatesFetcher } from "./key-store";
import { beijingIso } from "../../beijing-time";

const apiV3Key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const DAY = 24 * 3600_000;
const opensslSerial = normalizeSerial(javaPlatformKey.opensslSerial);
/** The public keys inside the test certificates: what the store must hand out for each serial. */
const javaPublicKey = createPublicKey(javaPlatformKey.opensslCertificatePem);
const axiosPublicKey = createPublicKey(axiosKey.certificatePem);
const isKey = (expected: KeyObject) => (actual: KeyObject | undefined) => actual?.equals(expected) === true;
const isJavaKey = isKey(javaPublicKey);

/** A fake WeChat: serves whatever certificates the test sets, signed by the first one, at the fake time. */
function fakeWechat() {
  const state = {
    now: Date.parse("2026-06-01T00:00:00Z"),
    calls: 0,
    fail: false,
    certificates: [] as { pem: string; effectiveTime: string; expireTime: string }[],
    signer: { privateKey: javaPlatformKey.privateKey, serial: javaPlatformKey.opensslSerial },
  };
  const fetch: CertificatesFetcher = async () => {
    state.calls += 1;
    if (state.fail) return err(wechatPayError("network", "CONNECTION_FAILED", "down"));
    const built = buildCertificatesResponse({
      certificates: state.certificates,
      apiV3Key,
      signer: state.signer,
      timestamp: String(Math.floor(state.now / 1000)),
    });
    return built.ok ? ok(built.value) : built;
  };
  const cert = (pem: string, effectiveOffsetDays: number, expireOffsetDays: number) => ({
    pem,
    effectiveTime: beijingIso(state.now + effectiveOffsetDays * DAY),
    expireTime: beijingIso(state.now + expireOffsetDays * DAY),
  });
  return { state, fetch, cert };
}

describe("PlatformKeyStore, public key mode", () => {
  const store = new PlatformKeyStore({ publicKey: { id: axiosKey.publicKeyId, key: axiosKey.publicKey } });

  it("resolves the public key by its id and nothing else, without any download", async () => {
    expect(await store.resolve(axiosKey.publicKeyId)).toBe(axiosKey.publicKey);
    expect(await store.resolve(axiosKey.serial)).toBeUndefined();
    expect(await store.encryptionKey()).toEqual({ serial: axiosKey.publicKeyId, key: axiosKey.publicKey });
  });
});

describe("PlatformKeyStore, certificate mode", () => {
  let wechat: ReturnType<typeof fakeWechat>;
  let store: PlatformKeyStore;
  beforeEach(() => {
    wechat = fakeWechat();
    wechat.state.certificates = [wechat.cert(javaPlatformKey.opensslCertificatePem, -30, 365)];
    store = new PlatformKeyStore({ certificates: { fetch: wechat.fetch, apiV3Key }, now: () => wechat.state.now });
  });

  it("downloads on first use, then answers from memory", async () => {
    expect(isJavaKey(await store.resolve(javaPlatformKey.opensslSerial))).toBe(true);
    expect(isJavaKey(await store.resolve(javaPlatformKey.opensslSerial.toLowerCase()))).toBe(true);
    expect(isJavaKey(store.lookup(opensslSerial))).toBe(true);
    expect(wechat.state.calls).toBe(1);
  });

  it("shares one download between concurrent callers", async () => {
    await Promise.all(Array.from({ length: 20 }, () => store.resolve(javaPlatformKey.opensslSerial)));
    expect(wechat.state.calls).toBe(1);
  });

  it("refreshes for an unknown serial at most once a minute, however many forged serials arrive", async () => {
    await store.resolve(javaPlatformKey.opensslSerial);
    for (let i = 0; i < 100; i++) expect(await store.resolve(`F0RGED${i}`)).toBeUndefined();
    expect(wechat.state.calls).toBe(2);
    wechat.state.now += UNKNOWN_SERIAL_COOLDOWN_MS - 1;
    await store.resolve("FORGED");
    expect(wechat.state.calls).toBe(2);
    wechat.state.now += 1;
    await store.resolve("FORGED");
    expect(wechat.state.calls).toBe(3);
  });

  it("picks up a rotated-in certificate when its serial first appears", async () => {
    await store.resolve(javaPlatformKey.opensslSerial);
    wechat.state.certificates.push(wechat.cert(axiosKey.certificatePem, 0, 700));
    expect(await store.resolve(axiosKey.serial)).toBe(store.lookup(axiosKey.serial));
    expect(store.lookup(axiosKey.serial)?.equals(axiosKey.publicKey)).toBe(true);
    // Both stay valid during rotation.
    expect(isJavaKey(store.lookup(javaPlatformKey.opensslSerial))).toBe(true);
  });

  it("encrypts with the newest certificate already in effect", async () => {
    wechat.state.certificates = [
      wechat.cert(javaPlatformKey.opensslCertificatePem, -300, 60),
      wechat.cert(axiosKey.certificatePem, -10, 700),
      wechat.cert(goKey.certificatePem, 5, 900), // not yet in effect
    ];
    expect((await store.encryptionKey())?.serial).toBe(axiosKey.serial);
  });

  it("does not trust a certificate past its expire_time", async () => {
    wechat.state.certificates = [
      wechat.cert(javaPlatformKey.opensslCertificatePem, -30, 365),
      wechat.cert(axiosKey.certificatePem, -400, -1),
    ];
    await store.refresh();
    expect(store.lookup(axiosKey.serial)).toBeUndefined();
    expect(isJavaKey(store.lookup(javaPlatformKey.opensslSerial))).toBe(true);
  });

  it("refreshes in the background every 12 hours, and ahead of an expiry", async () => {
    await store.resolve(javaPlatformKey.opensslSerial);
    wechat.state.now += 12 * 3600_000 - 1;
    await store.resolve(javaPlatformKey.opensslSerial);
    expect(wechat.state.calls).toBe(1);
    wechat.state.now += 1;
    // Answered at once from memory, while the download starts in the background.
    expect(isJavaKey(await store.resolve(javaPlatformKey.opensslSerial))).toBe(true);
    expect(wechat.state.calls).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 10));

    wechat.state.certificates = [wechat.cert(javaPlatformKey.opensslCertificatePem, -30, 0.02)]; // expires in ~29 min
    await store.refresh();
    expect(wechat.state.calls).toBe(3);
    wechat.state.now += 61_000;
    await store.resolve(javaPlatformKey.opensslSerial);
    expect(wechat.state.calls).toBe(4);
  });

  it("forgets a certificate WeChat no longer lists", async () => {
    wechat.state.certificates.push(wechat.cert(axiosKey.certificatePem, -1, 700));
    await store.refresh();
    expect(isKey(axiosPublicKey)(store.lookup(axiosKey.serial))).toBe(true);
    wechat.state.certificates.pop();
    await store.refresh();
    expect(store.lookup(axiosKey.serial)).toBeUndefined();
  });

  it("keeps its certificates when a download fails, reports the error, and retries no sooner than a minute", async () => {
    await store.resolve(javaPlatformKey.opensslSerial);
    wechat.state.fail = true;
    wechat.state.now += 12 * 3600_000;
    await store.refresh();
    expect(store.lastRefreshError?.code).toBe("CONNECTION_FAILED");
    expect(isJavaKey(store.lookup(javaPlatformKey.opensslSerial))).toBe(true);
    const calls = wechat.state.calls;
    await store.resolve("UNKNOWN");
    await store.resolve("UNKNOWN");
    expect(wechat.state.calls).toBe(calls + 1);
  });

  it("refuses a download signed by a key it does not contain", async () => {
    wechat.state.signer = { privateKey: goKey.privateKey, serial: goKey.serial };
    expect(await store.resolve(javaPlatformKey.opensslSerial)).toBeUndefined();
    expect(store.lastRefreshError?.code).toBe("UNKNOWN_SERIAL");
  });

  it("turns a fetcher that throws into an error, never a rejection", async () => {
    const throwing = new PlatformKeyStore({
      certificates: { fetch: () => Promise.reject(new Error("boom")), apiV3Key },
    });
    expect(await throwing.resolve("ANY")).toBeUndefined();
    expect(throwing.lastRefreshError?.code).toBe("CONNECTION_FAILED");
  });
});

describe("PlatformKeyStore, migration (public key and certificates at once)", () => {
  it("resolves both, and encrypts with the public key", async () => {
    const wechat = fakeWechat();
    wechat.state.certificates = [wechat.cert(javaPlatformKey.opensslCertificatePem, -30, 365)];
    const store = new PlatformKeyStore({
      publicKey: { id: axiosKey.publicKeyId, key: axiosKey.publicKey },
      certificates: { fetch: wechat.fetch, apiV3Key },
      now: () => wechat.state.now,
    });
    expect(isJavaKey(await store.resolve(javaPlatformKey.opensslSerial))).toBe(true);
    expect(await store.resolve(axiosKey.publicKeyId)).toBe(axiosKey.publicKey);
    expect((await store.encryptionKey())?.serial).toBe(axiosKey.publicKeyId);
  });
});
