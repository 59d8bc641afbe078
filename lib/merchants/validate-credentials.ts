import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { createSecureContext } from "node:tls";
import { err, ok, type Result } from "../result";
import type { StoredSecrets } from "../wechatpay/config";

/** A credential version as an admin uploads it: files already read, every field optional until checked. */
export interface CredentialUpload {
  merchantSerialNo?: string;
  merchantPrivateKeyPem?: string;
  apiV3Key?: string;
  /** How WeChat's signatures are checked: the WeChat Pay public key, or downloaded platform certificates. */
  verification: "publicKey" | "certificates";
  publicKeyId?: string;
  publicKeyPem?: string;
  apiV2Key?: string;
  p12?: Buffer;
  p12Password?: string;
}

/** Codes, translated by the console (messages `admin.errors.<code>`). */
export type CredentialFieldError =
  | "REQUIRED"
  | "SERIAL_NOT_HEX"
  | "PRIVATE_KEY_INVALID"
  | "NOT_RSA"
  | "APIV3_KEY_LENGTH"
  | "PUBLIC_KEY_ID_FORMAT"
  | "PUBLIC_KEY_INVALID"
  | "APIV2_KEY_LENGTH"
  | "P12_INVALID"
  | "P12_LEGACY";

export type CredentialField = Exclude<keyof CredentialUpload, "verification">;
export type CredentialFieldErrors = Partial<Record<CredentialField, CredentialFieldError[]>>;

export interface ValidCredentials {
  merchantSerialNo: string | null;
  publicKeyId: string | null;
  publicKeyPem: string | null;
  secrets: StoredSecrets;
}

const SERIAL = /^[0-9A-Fa-f]{8,64}$/;
const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9A-Za-z_]{1,64}$/;

const text = (value: string | undefined) => value?.trim() || undefined;
/** PEM files saved on Windows carry CRLF; keys are kept with LF only. */
const pem = (value: string | undefined) => text(value?.replace(/\r\n?/g, "\n"));

function rsaKey(make: () => KeyObject): "NOT_RSA" | "INVALID" | undefined {
  try {
    return make().asymmetricKeyType === "rsa" ? undefined : "NOT_RSA";
  } catch {
    return "INVALID";
  }
}

/** Loads the PKCS#12 as the APIv2 client will, so a wrong password shows here rather than at the first refund. */
function p12Problem(p12: Buffer, passphrase: string): CredentialFieldError | undefined {
  try {
    createSecureContext({ pfx: p12, passphrase });
    return undefined;
  } catch (e) {
    // Certificates issued before OpenSSL 3 use RC2-40, which Node refuses; docs/merchants.md says how to re-export.
    return /unsupported/i.test(e instanceof Error ? e.message : String(e)) ? "P12_LEGACY" : "P12_INVALID";
  }
}

/**
 * Checks an upload for a merchant of the given API version: APIv3 needs the certificate serial, the private key and
 * the APIv3 key (and, in public-key mode, the public key and its id); APIv2 needs the API key and apiclient_cert.p12.
 * Parts of the other version are accepted when given, so a merchant can switch versions without a new upload.
 */
export function validateCredentialUpload(
  upload: CredentialUpload,
  apiVersion: "v3" | "v2",
  mchid: string,
): Result<ValidCredentials, CredentialFieldErrors> {
  const errors: CredentialFieldErrors = {};
  const fail = (field: CredentialField, code: CredentialFieldError) => void (errors[field] ??= []).push(code);

  const serial = text(upload.merchantSerialNo);
  const privateKeyPem = pem(upload.merchantPrivateKeyPem);
  const apiV3Key = upload.apiV3Key?.trim() || undefined;
  const publicKeyMode = upload.verification === "publicKey";
  const publicKeyId = publicKeyMode ? text(upload.publicKeyId) : undefined;
  const publicKeyPem = publicKeyMode ? pem(upload.publicKeyPem) : undefined;
  const apiV2Key = upload.apiV2Key?.trim() || undefined;
  const p12 = upload.p12 && upload.p12.length > 0 ? upload.p12 : undefined;
  const p12Password = upload.p12Password || undefined;

  if (apiVersion === "v3") {
    if (!serial) fail("merchantSerialNo", "REQUIRED");
    if (!privateKeyPem) fail("merchantPrivateKeyPem", "REQUIRED");
    if (!apiV3Key) fail("apiV3Key", "REQUIRED");
    if (publicKeyMode && !publicKeyId) fail("publicKeyId", "REQUIRED");
    if (publicKeyMode && !publicKeyPem) fail("publicKeyPem", "REQUIRED");
  } else {
    if (!apiV2Key) fail("apiV2Key", "REQUIRED");
    // APIv2 refunds are sent over mutual TLS with this certificate.
    if (!p12) fail("p12", "REQUIRED");
  }

  if (serial && !SERIAL.test(serial)) fail("merchantSerialNo", "SERIAL_NOT_HEX");
  if (privateKeyPem) {
    const problem = rsaKey(() => createPrivateKey(privateKeyPem));
    if (problem) fail("merchantPrivateKeyPem", problem === "NOT_RSA" ? problem : "PRIVATE_KEY_INVALID");
  }
  // Bytes, not characters: the APIv3 key is an AES-256 key.
  if (apiV3Key && Buffer.byteLength(apiV3Key, "utf8") !== 32) fail("apiV3Key", "APIV3_KEY_LENGTH");
  if (publicKeyId && !PUBLIC_KEY_ID.test(publicKeyId)) fail("publicKeyId", "PUBLIC_KEY_ID_FORMAT");
  if (publicKeyPem) {
    const problem = rsaKey(() => createPublicKey(publicKeyPem));
    if (problem) fail("publicKeyPem", problem === "NOT_RSA" ? problem : "PUBLIC_KEY_INVALID");
  }
  if (apiV2Key && apiV2Key.length !== 32) fail("apiV2Key", "APIV2_KEY_LENGTH");
  if (p12) {
    // WeChat's documented default: the p12 password is the merchant ID.
    const problem = p12Problem(p12, p12Password ?? mchid);
    if (problem) fail(p12Password ? "p12Password" : "p12", problem);
  }

  if (Object.keys(errors).length > 0) return err(errors);
  return ok({
    merchantSerialNo: serial?.toUpperCase() ?? null,
    publicKeyId: publicKeyId ?? null,
    publicKeyPem: publicKeyPem ? `${publicKeyPem}\n` : null,
    secrets: {
      ...(privateKeyPem ? { merchantPrivateKeyPem: `${privateKeyPem}\n` } : {}),
      ...(apiV3Key ? { apiV3Key } : {}),
      ...(apiV2Key ? { apiV2Key } : {}),
      ...(p12 ? { p12Base64: p12.toString("base64"), ...(p12Password ? { p12Password } : {}) } : {}),
    },
  });
}
