import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { z } from "zod";
import { err, ok, type Result } from "../result";
import { wechatPayError, type WechatPayError } from "./errors";

export type SignType = "MD5" | "HMAC-SHA256";

/** Everything that identifies the merchant to WeChat Pay, for both protocol versions. Secrets never serialise. */
export interface MerchantCredentials {
  mchid: string;
  appid?: string;
  /** Partner (服务商) mode: the sub-merchant refunds are made for. */
  subMchid?: string;
  /** Origin of the API, `https://api.mch.weixin.qq.com` unless pointed at a simulator. */
  baseUrl: string;
  // APIv3
  merchantSerialNo?: string;
  merchantPrivateKey?: KeyObject;
  apiV3Key?: string;
  /** WeChat Pay public key mode; without it, platform certificates are downloaded. */
  publicKeyId?: string;
  publicKey?: KeyObject;
  /**
   * With a public key: whether platform certificates are still trusted beside it (`trusted`, WeChat's switch period:
   * answers and callbacks may be signed with either, told apart by `Wechatpay-Serial`) or no longer (`retired`, the
   * migration finished in the merchant platform). Certificates are then downloaded only when a serial that is not the
   * public key's shows up. Unset means `trusted`.
   */
  platformCertificates?: "trusted" | "retired";
  // APIv2
  apiV2Key?: string;
  /** apiclient_cert.p12, for the v2 refund call that needs the merchant's TLS client certificate. */
  p12?: Buffer;
  p12Password?: string;
  signType: SignType;
  /** What JSON.stringify and loggers see: secrets replaced by "[redacted]". */
  toJSON(): Record<string, unknown>;
}

/** The part of the credentials the APIv3 client cannot work without. */
export type V3Credentials = MerchantCredentials & {
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  apiV3Key: string;
};

export const DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com";

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === "" ? undefined : s));

const merchantId = optionalText.pipe(
  z
    .string()
    .regex(/^\d{8,12}$/, "must be the digits of a merchant ID")
    .optional(),
);

const envSchema = z.object({
  WECHATPAY_MCHID: merchantId,
  WECHATPAY_APPID: optionalText,
  WECHATPAY_SUB_MCHID: merchantId,
  WECHATPAY_MERCHANT_SERIAL_NO: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9A-Fa-f]{8,64}$/, "must be hex")
      .optional(),
  ),
  WECHATPAY_MERCHANT_PRIVATE_KEY: optionalText,
  // Byte length, not characters: the key is an AES-256 key.
  WECHATPAY_APIV3_KEY: z
    .string()
    .optional()
    .refine((s) => s === undefined || s === "" || Buffer.byteLength(s, "utf8") === 32, "must be exactly 32 bytes"),
  WECHATPAY_PUBLIC_KEY_ID: optionalText,
  WECHATPAY_PUBLIC_KEY: optionalText,
  WECHATPAY_PLATFORM_CERTIFICATES: optionalText.pipe(z.enum(["trusted", "retired"]).optional()),
  WECHATPAY_APIV2_KEY: z
    .string()
    .optional()
    .refine((s) => s === undefined || s === "" || s.length === 32, "must be exactly 32 characters"),
  WECHATPAY_APIV2_SIGN_TYPE: optionalText.pipe(z.enum(["MD5", "HMAC-SHA256"]).optional()),
  WECHATPAY_APICLIENT_P12: optionalText,
  WECHATPAY_APICLIENT_P12_PASSWORD: z.string().optional(),
  WECHATPAY_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
});

function configError(detail: string): Result<never, WechatPayError> {
  return err(wechatPayError("config", "CONFIG_INVALID", detail));
}

/**
 * A PEM given inline (env files often carry it with literal "\n") or the path of a file holding it. Error details
 * name the variable, never the content.
 */
function readPem(name: string, value: string, readFile: (path: string) => Buffer): Result<string, WechatPayError> {
  if (value.includes("-----BEGIN")) return ok(value.replace(/\\n/g, "\n"));
  try {
    return ok(readFile(value).toString("utf8"));
  } catch {
    // The value is not echoed: a key pasted without its BEGIN line would otherwise land in the logs.
    return configError(`${name}: neither PEM text nor a readable file`);
  }
}

function keyFrom<T>(name: string, make: () => T): Result<T, WechatPayError> {
  try {
    return ok(make());
  } catch {
    return configError(`${name} does not hold a usable RSA key`);
  }
}

/** The RSA key of a PEM setting (inline or a file's path): the private and the public key are read alike. */
function rsaKeySetting(
  name: string,
  value: string,
  readFile: (path: string) => Buffer,
  make: (pem: string) => KeyObject,
): Result<KeyObject, WechatPayError> {
  const pem = readPem(name, value, readFile);
  if (!pem.ok) return pem;
  const key = keyFrom(name, () => make(pem.value));
  if (!key.ok) return key;
  if (key.value.asymmetricKeyType !== "rsa") return configError(`${name} is not an RSA key`);
  return key;
}

/**
 * Merchant credentials from the environment. `ok(undefined)` when WECHATPAY_MCHID is unset (WeChat Pay is not
 * configured: the console runs without it); an error when something is set but unusable.
 */
export function loadMerchantCredentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Buffer = readFileSync,
): Result<MerchantCredentials | undefined, WechatPayError> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Issue messages are ours and never echo the value, so they are safe to show.
    return configError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const e = parsed.data;
  if (!e.WECHATPAY_MCHID) return ok(undefined);

  let merchantPrivateKey: KeyObject | undefined;
  if (e.WECHATPAY_MERCHANT_PRIVATE_KEY) {
    const key = rsaKeySetting(
      "WECHATPAY_MERCHANT_PRIVATE_KEY",
      e.WECHATPAY_MERCHANT_PRIVATE_KEY,
      readFile,
      createPrivateKey,
    );
    if (!key.ok) return key;
    merchantPrivateKey = key.value;
  }

  if (Boolean(e.WECHATPAY_PUBLIC_KEY_ID) !== Boolean(e.WECHATPAY_PUBLIC_KEY)) {
    return configError("WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY go together");
  }
  let publicKey: KeyObject | undefined;
  if (e.WECHATPAY_PUBLIC_KEY) {
    const key = rsaKeySetting("WECHATPAY_PUBLIC_KEY", e.WECHATPAY_PUBLIC_KEY, readFile, createPublicKey);
    if (!key.ok) return key;
    publicKey = key.value;
  }

  let p12: Buffer | undefined;
  if (e.WECHATPAY_APICLIENT_P12) {
    try {
      p12 = readFile(e.WECHATPAY_APICLIENT_P12);
    } catch {
      return configError(`WECHATPAY_APICLIENT_P12: the file ${e.WECHATPAY_APICLIENT_P12} cannot be read`);
    }
  }

  return ok(
    redacting({
      mchid: e.WECHATPAY_MCHID,
      appid: e.WECHATPAY_APPID,
      subMchid: e.WECHATPAY_SUB_MCHID,
      baseUrl: (e.WECHATPAY_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
      merchantSerialNo: e.WECHATPAY_MERCHANT_SERIAL_NO?.toUpperCase(),
      merchantPrivateKey,
      apiV3Key: e.WECHATPAY_APIV3_KEY || undefined,
      publicKeyId: e.WECHATPAY_PUBLIC_KEY_ID,
      publicKey,
      platformCertificates: e.WECHATPAY_PLATFORM_CERTIFICATES,
      apiV2Key: e.WECHATPAY_APIV2_KEY || undefined,
      p12,
      // WeChat's documented default: the p12 password is the merchant ID.
      p12Password: p12 ? (e.WECHATPAY_APICLIENT_P12_PASSWORD ?? e.WECHATPAY_MCHID) : undefined,
      signType: e.WECHATPAY_APIV2_SIGN_TYPE ?? "HMAC-SHA256",
    }),
  );
}

/** The secret parts of a credential version uploaded in the console, as they are sealed in the database. */
export interface StoredSecrets {
  merchantPrivateKeyPem?: string;
  apiV3Key?: string;
  apiV2Key?: string;
  /** apiclient_cert.p12, base64. */
  p12Base64?: string;
  p12Password?: string;
}

/** A credential version from `merchant_credentials`, its secrets already opened (in memory only). */
export interface StoredCredentials {
  merchant: { mchid: string; appid: string; subMchid: string | null; platformCertificates?: "trusted" | "retired" };
  merchantSerialNo: string | null;
  /** WeChat Pay public key mode; both null means platform-certificate mode. */
  publicKeyId: string | null;
  publicKeyPem: string | null;
  secrets: StoredSecrets;
}

/**
 * Merchant credentials from a version uploaded in the console (`credentials_ref = 'db'`). The parts were validated
 * on upload; they are parsed again here because a row is only trusted as far as it opens and parses. The API origin
 * is the deployment's (WECHATPAY_BASE_URL, else WeChat's), shared with the env merchant.
 */
export function loadMerchantCredentialsFromStored(
  stored: StoredCredentials,
  env: Readonly<Record<string, string | undefined>>,
): Result<MerchantCredentials, WechatPayError> {
  const baseUrl = envSchema.shape.WECHATPAY_BASE_URL.safeParse(env.WECHATPAY_BASE_URL);
  if (!baseUrl.success) return configError("WECHATPAY_BASE_URL: must be an http(s) URL");
  const { merchant, secrets } = stored;
  let merchantPrivateKey: KeyObject | undefined;
  if (secrets.merchantPrivateKeyPem) {
    const key = keyFrom("the merchant private key", () => createPrivateKey(secrets.merchantPrivateKeyPem!));
    if (!key.ok) return key;
    merchantPrivateKey = key.value;
  }
  let publicKey: KeyObject | undefined;
  if (stored.publicKeyPem) {
    const key = keyFrom("the WeChat Pay public key", () => createPublicKey(stored.publicKeyPem!));
    if (!key.ok) return key;
    publicKey = key.value;
  }
  const p12 = secrets.p12Base64 ? Buffer.from(secrets.p12Base64, "base64") : undefined;
  return ok(
    redacting({
      mchid: merchant.mchid,
      appid: merchant.appid,
      subMchid: merchant.subMchid ?? undefined,
      baseUrl: (baseUrl.data ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
      merchantSerialNo: stored.merchantSerialNo?.toUpperCase(),
      merchantPrivateKey,
      apiV3Key: secrets.apiV3Key,
      publicKeyId: stored.publicKeyId ?? undefined,
      publicKey,
      platformCertificates: merchant.platformCertificates,
      apiV2Key: secrets.apiV2Key,
      p12,
      p12Password: p12 ? secrets.p12Password || merchant.mchid : undefined,
      signType: "HMAC-SHA256",
    }),
  );
}

/** Fields that are secret, or that give no use in a log. */
const SECRET_FIELDS = ["merchantPrivateKey", "apiV3Key", "apiV2Key", "p12", "p12Password"] as const;

/**
 * Adds `toJSON` and `util.inspect` behaviour that replace secrets by "[redacted]" (or leave them out when unset),
 * so credentials reach logs, error reports and `console.log` without leaking. Exported for credentials built in
 * code (tests, the simulator).
 */
export function redacting(fields: Omit<MerchantCredentials, "toJSON">): MerchantCredentials {
  const safe = (): Record<string, unknown> => {
    const view: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if ((SECRET_FIELDS as readonly string[]).includes(name)) view[name] = "[redacted]";
      else view[name] = name === "publicKey" ? "[public key]" : value;
    }
    return view;
  };
  // Both are own enumerable properties, so a spread copy (`{ ...credentials }`) stays redacted too.
  const credentials: MerchantCredentials = { ...fields, toJSON: safe };
  return Object.assign(credentials, { [inspect.custom]: safe });
}

/** Narrows credentials to what the APIv3 client needs, or says what is missing. */
export function requireV3Credentials(credentials: MerchantCredentials): Result<V3Credentials, WechatPayError> {
  const missing = [
    credentials.merchantSerialNo ? undefined : "WECHATPAY_MERCHANT_SERIAL_NO",
    credentials.merchantPrivateKey ? undefined : "WECHATPAY_MERCHANT_PRIVATE_KEY",
    credentials.apiV3Key ? undefined : "WECHATPAY_APIV3_KEY",
  ].filter((name) => name !== undefined);
  if (missing.length > 0) return err(wechatPayError("config", "CONFIG_MISSING", `APIv3 needs ${missing.join(", ")}`));
  return ok(credentials as V3Credentials);
}
