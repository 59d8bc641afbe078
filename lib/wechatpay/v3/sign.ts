import { randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decodeBase64Strict } from "./base64";

/** The only APIv3 signature scheme this library speaks (WeChat also has an SM2 scheme for Chinese national crypto). */
export const SIGNATURE_SCHEME = "WECHATPAY2-SHA256-RSA2048";

/**
 * The signed message: every part on its own line, each line ended by "\n". An empty body still gets its line,
 * so a GET ends in "\n\n"; a body that itself ends in "\n" gets another one (wechatpay-go test vector).
 */
export function signatureMessage(parts: readonly string[]): string {
  return parts.map((part) => `${part}\n`).join("");
}

/** 32 upper-case hex characters: WeChat allows up to 32 characters for nonce_str. */
export function generateNonce(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/** Unix seconds, as WeChat writes timestamps. */
export function unixSeconds(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}

/** SHA256-RSA (PKCS#1 v1.5) signature in base64. Refuses keys that are not RSA private keys instead of throwing. */
export function rsaSign(message: string, privateKey: KeyObject): Result<string, WechatPayError> {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "rsa") {
    return err(wechatPayError("config", "CONFIG_INVALID", "the signing key is not an RSA private key"));
  }
  return ok(sign("sha256", Buffer.from(message, "utf8"), privateKey).toString("base64"));
}

/** Whether `signatureB64` is a valid SHA256-RSA signature of `message`. Never throws on hostile input. */
export function rsaVerify(message: string, signatureB64: string, publicKey: KeyObject): boolean {
  const signature = decodeBase64Strict(signatureB64);
  return signature !== undefined && rsaVerifyBytes(message, signature, publicKey);
}

/** `rsaVerify` for a signature already decoded. */
export function rsaVerifyBytes(message: string, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== "rsa") return false;
  try {
    return verify("sha256", Buffer.from(message, "utf8"), publicKey, signature);
  } catch {
    return false;
  }
}

export interface AuthorizationInput {
  mchid: string;
  /** Serial number of the merchant API certificate whose private key signs. */
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  /** Path plus query string exactly as sent on the wire, e.g. `/v3/refund/domestic/refunds/R1?sub_mchid=19`. */
  pathWithQuery: string;
  /** The body exactly as sent; "" for GET. */
  body: string;
  /** Unix seconds; defaults to now. Injected by tests to reproduce known answers. */
  timestamp?: string;
  nonce?: string;
}

// Values go inside "…" in a header: refuse anything that could break out of the quotes or the header line.
const HEADER_VALUE = /^[\x21\x23-\x7e]{1,64}$/;

/** The request message (method, path, timestamp, nonce, body) that the merchant signs. */
export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return signatureMessage([method.toUpperCase(), pathWithQuery, timestamp, nonce, body]);
}

/** The `Authorization` header value of an APIv3 request. */
export function buildAuthorization(input: AuthorizationInput): Result<string, WechatPayError> {
  const timestamp = input.timestamp ?? unixSeconds(Date.now());
  const nonce = input.nonce ?? generateNonce();
  for (const [name, value] of [
    ["mchid", input.mchid],
    ["serial_no", input.serialNo],
    ["nonce_str", nonce],
    ["timestamp", timestamp],
  ] as const) {
    if (!HEADER_VALUE.test(value)) {
      const detail = `${name} is empty or holds characters a header cannot carry`;
      return err(wechatPayError("config", "CONFIG_INVALID", detail));
    }
  }
  const message = requestMessage(input.method, input.pathWithQuery, timestamp, nonce, input.body);
  const signed = rsaSign(message, input.privateKey);
  if (!signed.ok) return signed;
  return ok(
    `${SIGNATURE_SCHEME} mchid="${input.mchid}",nonce_str="${nonce}",signature="${signed.value}",` +
      `timestamp="${timestamp}",serial_no="${input.serialNo}"`,
  );
}

export interface ParsedAuthorization {
  mchid: string;
  nonceStr: string;
  signature: string;
  timestamp: string;
  serialNo: string;
}

const AUTH_FIELDS = {
  mchid: "mchid",
  nonce_str: "nonceStr",
  signature: "signature",
  timestamp: "timestamp",
  serial_no: "serialNo",
} as const;
const MAX_AUTHORIZATION_LENGTH = 2048;

function invalidAuthorization(detail: string): Result<never, WechatPayError> {
  return err(wechatPayError("verification", "AUTHORIZATION_INVALID", detail));
}

/**
 * Reads `WECHATPAY2-SHA256-RSA2048 k="v",…` in any field order (SDKs differ). Every one of the five fields is
 * required exactly once; unknown fields are refused so a gateway never signs off on something it did not read.
 */
export function parseAuthorization(header: string): Result<ParsedAuthorization, WechatPayError> {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return invalidAuthorization("header too long");
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space) !== SIGNATURE_SCHEME) {
    return invalidAuthorization(`scheme is not ${SIGNATURE_SCHEME}`);
  }
  const found: Partial<Record<keyof ParsedAuthorization, string>> = {};
  for (const pair of header.slice(space + 1).split(",")) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(pair);
    if (!match) return invalidAuthorization('a field is not key="value"');
    const [, key = "", value = ""] = match;
    if (!Object.hasOwn(AUTH_FIELDS, key)) return invalidAuthorization(`unknown field ${key}`);
    const field = AUTH_FIELDS[key as keyof typeof AUTH_FIELDS];
    if (found[field] !== undefined) return invalidAuthorization(`field ${key} appears twice`);
    if (value === "") return invalidAuthorization(`field ${key} is empty`);
    found[field] = value;
  }
  const { mchid, nonceStr, signature, timestamp, serialNo } = found;
  if (!mchid || !nonceStr || !signature || !timestamp || !serialNo) return invalidAuthorization("a field is missing");
  if (!/^\d{1,12}$/.test(timestamp)) return invalidAuthorization("timestamp is not unix seconds");
  return ok({ mchid, nonceStr, signature, timestamp, serialNo });
}

/** Gateway side: whether a parsed Authorization signs this request with the merchant's public key. */
export function verifyAuthorization(
  auth: ParsedAuthorization,
  request: { method: string; pathWithQuery: string; body: string },
  merchantPublicKey: KeyObject,
): boolean {
  const message = requestMessage(request.method, request.pathWithQuery, auth.timestamp, auth.nonceStr, request.body);
  return rsaVerify(message, auth.signature, merchantPublicKey);
}
