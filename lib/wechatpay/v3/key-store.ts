import type { KeyObject } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { normalizeSerial, verifyCertificatesResponse, type PlatformCertificate, type SignedBody } from "./certificates";
import type { KeyResolver } from "./verify";

/** What the client needs from the platform keys: verify answers, and encrypt sensitive fields. */
export interface PlatformKeys {
  /** Key for a `Wechatpay-Serial`; may download certificates when the serial is unknown. */
  resolve: KeyResolver;
  /** Key for a serial among those already held; never goes to the network. */
  lookup(serial: string): KeyObject | undefined;
  /** The key to encrypt sensitive request fields with, and the serial to name in `Wechatpay-Serial`. */
  encryptionKey(): Promise<{ serial: string; key: KeyObject } | undefined>;
}

/** Downloads GET /v3/certificates without verifying it (the store verifies with the certificates inside). */
export type CertificatesFetcher = () => Promise<Result<SignedBody, WechatPayError>>;

export interface PlatformKeyStoreOptions {
  /** WeChat Pay public key mode: `PUB_KEY_ID_…` and its key. */
  publicKey?: { id: string; key: KeyObject };
  /** Platform certificate mode: how to download, and the APIv3 key that decrypts the download. */
  certificates?: { fetch: CertificatesFetcher; apiV3Key: string };
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Regular refresh; WeChat publishes a new certificate well before the old one expires. Default 12 h. */
  refreshIntervalMs?: number;
}

/** A refresh triggered by an unknown serial happens at most this often, so forged serials cannot flood WeChat. */
export const UNKNOWN_SERIAL_COOLDOWN_MS = 60_000;
/** Never refresh more often than this, even when certificates are about to expire or downloads fail. */
const MIN_REFRESH_GAP_MS = 60_000;
/** Refresh this long before the soonest expiry among held certificates. */
const EXPIRY_MARGIN_MS = 60 * 60_000;
const DEFAULT_REFRESH_INTERVAL_MS = 12 * 60 * 60_000;

/**
 * Platform keys for verifying WeChat Pay: the WeChat Pay public key, platform certificates, or both at once (during
 * a migration WeChat may sign with either, so the serial picks). Several certificates are held at once because
 * WeChat signs with the new one while the old one is still valid.
 */
export class PlatformKeyStore implements PlatformKeys {
  private readonly options: PlatformKeyStoreOptions;
  private readonly now: () => number;
  private certificates: PlatformCertificate[] = [];
  private nextRefreshAt = 0; // refresh on first use
  private unknownSerialRefreshAllowedAt = 0;
  private inflight: Promise<Result<PlatformCertificate[], WechatPayError>> | undefined;
  private lastError: WechatPayError | undefined;

  constructor(options: PlatformKeyStoreOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  lookup(serial: string): KeyObject | undefined {
    const { publicKey } = this.options;
    if (publicKey && serial === publicKey.id) return publicKey.key;
    const wanted = normalizeSerial(serial);
    const now = this.now();
    return this.certificates.find((c) => normalizeSerial(c.serialNo) === wanted && c.expireTime > now)?.publicKey;
  }

  readonly resolve: KeyResolver = async (serial) => {
    const known = this.lookup(serial);
    if (known) {
      // Keep using what we trust; refresh in the background (refresh() never rejects).
      if (this.refreshDue()) void this.refresh();
      return known;
    }
    if (!this.options.certificates) return undefined;
    if (!this.refreshDue()) {
      if (this.now() < this.unknownSerialRefreshAllowedAt) return undefined;
      this.unknownSerialRefreshAllowedAt = this.now() + UNKNOWN_SERIAL_COOLDOWN_MS;
    }
    await this.refresh();
    return this.lookup(serial);
  };

  async encryptionKey(): Promise<{ serial: string; key: KeyObject } | undefined> {
    const { publicKey } = this.options;
    // With a public key configured, WeChat expects sensitive fields under it, even while certificates still work.
    if (publicKey) return { serial: publicKey.id, key: publicKey.key };
    if (this.options.certificates && this.refreshDue()) await this.refresh();
    const now = this.now();
    // The newest certificate already in effect: WeChat's guidance for choosing among several during rotation.
    const usable = this.certificates
      .filter((c) => c.effectiveTime <= now && c.expireTime > now)
      .sort((a, b) => b.effectiveTime - a.effectiveTime)[0];
    return usable && { serial: usable.serialNo, key: usable.publicKey };
  }

  /** The error of the last failed download, for a health page; cleared by a successful one. */
  get lastRefreshError(): WechatPayError | undefined {
    return this.lastError;
  }

  /**
   * Downloads and verifies the certificate list, then replaces the held one (WeChat's list is authoritative: a
   * certificate it no longer lists is no longer trusted). Concurrent callers share one download.
   */
  refresh(): Promise<Result<PlatformCertificate[], WechatPayError>> {
    this.inflight ??= this.download().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Beside a public key, certificates are a fallback for WeChat's switch period: none is fetched until a serial that is
   * not the public key's arrives (a merchant that never had certificates is never asked for them), and once some are
   * held they are kept fresh like in certificate mode.
   */
  private refreshDue(): boolean {
    if (this.options.publicKey && this.certificates.length === 0) return false;
    return this.options.certificates !== undefined && this.now() >= this.nextRefreshAt;
  }

  private async download(): Promise<Result<PlatformCertificate[], WechatPayError>> {
    const source = this.options.certificates;
    if (!source) return err(wechatPayError("config", "CONFIG_MISSING", "no certificate download configured"));
    let result: Result<PlatformCertificate[], WechatPayError>;
    try {
      const fetched = await source.fetch();
      result = fetched.ok
        ? await verifyCertificatesResponse(fetched.value, source.apiV3Key, {
            trusted: async (serial) => this.lookup(serial),
            now: this.now,
          })
        : fetched;
    } catch (e) {
      const detail = `certificate download threw: ${String(e).slice(0, 200)}`;
      result = err(wechatPayError("network", "CONNECTION_FAILED", detail));
    }
    const now = this.now();
    if (!result.ok) {
      this.lastError = result.error;
      this.nextRefreshAt = now + MIN_REFRESH_GAP_MS;
      return result;
    }
    this.certificates = result.value;
    this.lastError = undefined;
    const soonestExpiry = Math.min(...result.value.map((c) => c.expireTime).filter((t) => t > now));
    const interval = this.options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    this.nextRefreshAt = Math.max(now + MIN_REFRESH_GAP_MS, Math.min(now + interval, soonestExpiry - EXPIRY_MARGIN_MS));
    return ok(result.value);
  }
}
