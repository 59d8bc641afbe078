import type { KeyObject } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decodeBase64Strict } from "./base64";
import { generateNonce, rsaSign, rsaVerifyBytes, SIGNATURE_SCHEME, signatureMessage, unixSeconds } from "./sign";

/** Finds the public key WeChat signed with, by `Wechatpay-Serial` (certificate serial or `PUB_KEY_ID_…`). */
export type KeyResolver = (serial: string) => Promise<KeyObject | undefined>;

/** fetch `Headers`, or a plain record (node:http `IncomingHttpHeaders`, tests); names match case-insensitively. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export const SIGNATURE_PROBE_PREFIX = "WECHATPAY/SIGNTEST/";
/** WeChat's SDKs refuse answers whose timestamp is more than 5 minutes away from local time. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export interface SignatureHeaders {
  timestamp: string;
  nonce: string;
  serial: string;
  signature: string;
}

export interface VerifyOptions {
  /** Milliseconds since the epoch; injected by tests and by replays of recorded vectors. */
  now?: () => number;
}

const MAX_HEADER_LENGTH = 1024;

/** One header value, or undefined when absent, empty, repeated with different values, or oversized. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  return headerReader(headers)(name);
}

/**
 * Looks up several headers of one message: a plain record is indexed by lower-cased name once, not searched for
 * every name (this runs for every callback).
 */
function headerReader(headers: HeaderSource): (name: string) => string | undefined {
  if (headers instanceof Headers) {
    // fetch joins repeated headers with ", "; none of the Wechatpay-* values contains that sequence.
    return (name) => checkedValue(headers.get(name));
  }
  // Per lower-cased name: its one value, or null when it came more than once with different values.
  const byName = new Map<string, string | null>();
  for (const key in headers) {
    const raw = headers[key];
    if (raw === undefined) continue;
    const name = key.toLowerCase();
    for (const value of typeof raw === "string" ? [raw] : raw) {
      const seen = byName.get(name);
      byName.set(name, seen === undefined || seen === value ? value : null);
    }
  }
  return (name) => checkedValue(byName.get(name.toLowerCase()));
}

function checkedValue(value: string | null | undefined): string | undefined {
  if (!value || value.length > MAX_HEADER_LENGTH || value.includes(", ")) return undefined;
  return value;
}

function verificationError(code: string, detail: string): Result<never, WechatPayError> {
  return err(wechatPayError("verification", code, detail));
}

/** The four signature headers of an answer or callback. */
export function readSignatureHeaders(headers: HeaderSource): Result<SignatureHeaders, WechatPayError> {
  const header = headerReader(headers);
  const timestamp = header("Wechatpay-Timestamp");
  const nonce = header("Wechatpay-Nonce");
  const serial = header("Wechatpay-Serial");
  const signature = header("Wechatpay-Signature");
  if (!timestamp || !nonce || !serial || !signature) {
    return verificationError("HEADERS_MISSING", "Wechatpay-Timestamp, -Nonce, -Serial and -Signature are all required");
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return verificationError("HEADERS_MISSING", "Wechatpay-Timestamp is not unix seconds");
  }
  // Absent on older answers; when present it must name the scheme we verify, not e.g. SM2.
  const type = header("Wechatpay-Signature-Type");
  if (type !== undefined && type !== SIGNATURE_SCHEME) {
    return verificationError("SIGNATURE_INVALID", `unsupported Wechatpay-Signature-Type ${type}`);
  }
  return ok({ timestamp, nonce, serial, signature });
}

/**
 * Verifies a WeChat Pay answer or callback: `TIMESTAMP\nNONCE\nBODY\n` over the body exactly as received.
 * Cheap checks come first, so forged input never reaches the key resolver (which may download certificates).
 */
export async function verifySignature(
  message: { headers: HeaderSource; body: string },
  resolveKey: KeyResolver,
  options: VerifyOptions = {},
): Promise<Result<SignatureHeaders, WechatPayError>> {
  const read = readSignatureHeaders(message.headers);
  if (!read.ok) return read;
  const { timestamp, nonce, serial, signature } = read.value;

  // WeChat sends these on purpose to check that merchants really verify; they must be refused.
  if (signature.startsWith(SIGNATURE_PROBE_PREFIX)) {
    return verificationError("SIGNATURE_PROBE", "signature carries the WECHATPAY/SIGNTEST/ probe prefix");
  }
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    const detail = `Wechatpay-Timestamp ${timestamp} is more than ${MAX_CLOCK_SKEW_SECONDS} s from ${nowSeconds}`;
    return verificationError("TIMESTAMP_SKEW", detail);
  }
  const signatureBytes = decodeBase64Strict(signature);
  if (!signatureBytes) return verificationError("NOT_BASE64", "Wechatpay-Signature is not base64");

  let key: KeyObject | undefined;
  try {
    key = await resolveKey(serial);
  } catch {
    key = undefined; // a resolver that fails is treated like one that does not know the serial
  }
  if (!key) return verificationError("UNKNOWN_SERIAL", `no platform key for Wechatpay-Serial ${serial}`);

  if (!rsaVerifyBytes(signatureMessage([timestamp, nonce, message.body]), signatureBytes, key)) {
    return verificationError("SIGNATURE_INVALID", `signature does not verify with key ${serial}`);
  }
  return ok(read.value);
}

/** The headers a WeChat Pay gateway adds to a signed answer or callback. */
export type WechatpayHeaders = Record<
  "Wechatpay-Timestamp" | "Wechatpay-Nonce" | "Wechatpay-Serial" | "Wechatpay-Signature" | "Wechatpay-Signature-Type",
  string
>;

/** Gateway side (simulator, tests): signs `TIMESTAMP\nNONCE\nBODY\n` with the platform private key. */
export function signResponse(input: {
  body: string;
  privateKey: KeyObject;
  /** Platform certificate serial or `PUB_KEY_ID_…`. */
  serial: string;
  timestamp?: string;
  nonce?: string;
}): Result<WechatpayHeaders, WechatPayError> {
  const timestamp = input.timestamp ?? unixSeconds(Date.now());
  const nonce = input.nonce ?? generateNonce();
  const signed = rsaSign(signatureMessage([timestamp, nonce, input.body]), input.privateKey);
  if (!signed.ok) return signed;
  return ok({
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Serial": input.serial,
    "Wechatpay-Signature": signed.value,
    "Wechatpay-Signature-Type": SIGNATURE_SCHEME,
  });
}
