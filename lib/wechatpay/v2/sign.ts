/**
 * APIv2 signature (签名算法): every request and every answer carries `sign`, computed over its other fields
 * with the merchant's 32-character API key. MD5 is the default; HMAC-SHA256 when `sign_type` says so.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type V2SignType = "MD5" | "HMAC-SHA256";

export type V2SignableParams = Readonly<Record<string, string | number | undefined>>;

/**
 * `stringSignTemp` of WeChat's spec: non-empty fields except `sign`, sorted by key in ASCII order,
 * joined as `k=v&…`, then `&key=API_KEY`. Contains the key: for signing and tests only, never for logs.
 */
export function stringToSign(params: V2SignableParams, apiKey: string): string {
  const pairs: string[] = [];
  // Plain sort compares UTF-16 code units, which is ASCII order for WeChat's ASCII field names
  // (localeCompare would put `_` in the wrong place).
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (key === "sign" || value === undefined || value === "") continue;
    pairs.push(`${key}=${value}`);
  }
  pairs.push(`key=${apiKey}`);
  return pairs.join("&");
}

/** Uppercase hex signature of `params` (a `sign` field in them is ignored). */
export function signV2(params: V2SignableParams, apiKey: string, signType: V2SignType): string {
  const message = stringToSign(params, apiKey);
  const digest =
    signType === "HMAC-SHA256"
      ? createHmac("sha256", apiKey).update(message, "utf8").digest("hex")
      : createHash("md5").update(message, "utf8").digest("hex");
  return digest.toUpperCase();
}

/**
 * True when `params.sign` is the signature of the other fields. Unknown extra fields are part of the
 * signature (WeChat adds fields over time), so they are kept, not filtered. Constant-time comparison.
 */
export function verifySign(params: Readonly<Record<string, string>>, apiKey: string, signType: V2SignType): boolean {
  const received = params.sign;
  if (typeof received !== "string" || received === "") return false;
  const expected = Buffer.from(signV2(params, apiKey, signType), "utf8");
  const actual = Buffer.from(received.toUpperCase(), "utf8");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 32-character `nonce_str` (the documented maximum), from the CSPRNG. */
export function nonceStr(): string {
  let out = "";
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every letter equally likely.
  while (out.length < 32) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && out.length < 32) out += NONCE_ALPHABET[byte % 62];
    }
  }
  return out;
}
