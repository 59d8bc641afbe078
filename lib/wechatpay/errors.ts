import { msg, type Message } from "../message";

/**
 * What the caller may do after a failed call to WeChat Pay.
 * - `retry`: nothing happened at WeChat (or WeChat asked us to slow down); send again with the SAME out_refund_no.
 * - `unknown`: the request may have reached WeChat (timeout, reset after sending); query by out_refund_no before resending.
 * - `final`: WeChat rejected the request; resending the same content will fail the same way.
 */
export type RetryAdvice = "retry" | "unknown" | "final";

/** Where the failure was found. */
export type WechatPayErrorKind =
  | "business" // WeChat answered with an error code (HTTP 4xx/5xx in v3, return_code/result_code FAIL in v2)
  | "network" // no usable answer: timeout, connection reset, DNS, TLS
  | "verification" // an answer or callback whose signature could not be verified
  | "decryption" // AES-GCM / AES-ECB payload that does not decrypt
  | "malformed" // bytes that are not the documented shape (bad JSON, bad XML, DTD, non-base64, oversized)
  | "config"; // missing or invalid merchant configuration

export interface WechatPayError {
  kind: WechatPayErrorKind;
  /** WeChat's code (`SYSTEM_ERROR`, `NOT_ENOUGH`, v2 `NOTENOUGH`…) or ours (`TIMEOUT`, `SIGNATURE_INVALID`…). */
  code: string;
  /** WeChat's own message, or a technical description; never holds secrets. */
  detail: string;
  httpStatus?: number;
  advice: RetryAdvice;
  /** What the operator reads. */
  message: Message;
}

interface CodeInfo {
  advice: RetryAdvice;
  message: Message;
}

/** WeChat Pay error codes (APIv3 names; APIv2 codes are mapped onto these by the v2 module). */
const CODES: Record<string, CodeInfo> = {
  SYSTEM_ERROR: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.SYSTEM_ERROR"),
  },
  FREQUENCY_LIMITED: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.FREQUENCY_LIMITED"),
  },
  BIZ_ERR_NEED_RETRY: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.BIZ_ERR_NEED_RETRY"),
  },
  NOT_ENOUGH: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.NOT_ENOUGH"),
  },
  USER_ACCOUNT_ABNORMAL: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.USER_ACCOUNT_ABNORMAL"),
  },
  INVALID_REQUEST: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.INVALID_REQUEST"),
  },
  PARAM_ERROR: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.PARAM_ERROR"),
  },
  NO_AUTH: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.NO_AUTH"),
  },
  RESOURCE_NOT_EXISTS: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.RESOURCE_NOT_EXISTS"),
  },
  ORDER_NOT_EXIST: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.ORDER_NOT_EXIST"),
  },
  MCH_NOT_EXISTS: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.MCH_NOT_EXISTS"),
  },
  SIGN_ERROR: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.SIGN_ERROR"),
  },
  REQUEST_BLOCKED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.REQUEST_BLOCKED"),
  },
  FREQUENCY_LIMIT_EXCEED: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.FREQUENCY_LIMIT_EXCEED"),
  },
  // APIv2 codes WeChat returns under these names (the v2 module maps the others onto the APIv3 names above).
  INVALID_TRANSACTIONID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.INVALID_TRANSACTIONID"),
  },
  APPID_NOT_EXIST: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.APPID_NOT_EXIST"),
  },
  ORDERPAID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.ORDERPAID"),
  },
  XML_FORMAT_ERROR: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.XML_FORMAT_ERROR"),
  },
  REQUIRE_POST_METHOD: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.REQUIRE_POST_METHOD"),
  },
  POST_DATA_EMPTY: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.POST_DATA_EMPTY"),
  },
  NOT_UTF8: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.NOT_UTF8"),
  },
  // APIv2 codes of the console's own.
  XML_DTD_FORBIDDEN: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.XML_DTD_FORBIDDEN"),
  },
  REQ_INFO_LENGTH_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.REQ_INFO_LENGTH_INVALID"),
  },
  REQ_INFO_DECRYPT_FAILED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.REQ_INFO_DECRYPT_FAILED"),
  },
  CLIENT_CERT_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.CLIENT_CERT_INVALID"),
  },
  // Our own codes for failures that never reached a WeChat answer.
  TIMEOUT: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.TIMEOUT"),
  },
  CONNECTION_RESET: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.CONNECTION_RESET"),
  },
  CONNECTION_FAILED: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.CONNECTION_FAILED"),
  },
  SIGNATURE_INVALID: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.SIGNATURE_INVALID"),
  },
  // APIv3 verification and decryption codes. Verification failures are `unknown`: when an answer to our own
  // request cannot be trusted, the request may still have taken effect at WeChat.
  HEADERS_MISSING: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.HEADERS_MISSING"),
  },
  TIMESTAMP_SKEW: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.TIMESTAMP_SKEW"),
  },
  SIGNATURE_PROBE: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.SIGNATURE_PROBE"),
  },
  UNKNOWN_SERIAL: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.UNKNOWN_SERIAL"),
  },
  AUTHORIZATION_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.AUTHORIZATION_INVALID"),
  },
  BODY_TOO_LARGE: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.BODY_TOO_LARGE"),
  },
  NOT_SUPPORTED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.NOT_SUPPORTED"),
  },
  UNEXPECTED_RESPONSE: {
    advice: "unknown",
    message: msg("outcomes.wechatpay.errors.UNEXPECTED_RESPONSE"),
  },
  NOT_BASE64: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.NOT_BASE64"),
  },
  CIPHERTEXT_TOO_SHORT: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.CIPHERTEXT_TOO_SHORT"),
  },
  UNSUPPORTED_ALGORITHM: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.UNSUPPORTED_ALGORITHM"),
  },
  APIV3_KEY_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.APIV3_KEY_INVALID"),
  },
  CERTIFICATE_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.CERTIFICATE_INVALID"),
  },
  NO_PLATFORM_KEY: {
    advice: "retry",
    message: msg("outcomes.wechatpay.errors.NO_PLATFORM_KEY"),
  },
  ENCRYPTION_FAILED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.ENCRYPTION_FAILED"),
  },
  REQUEST_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.REQUEST_INVALID"),
  },
  UNEXPECTED_EVENT_TYPE: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.UNEXPECTED_EVENT_TYPE"),
  },
  CONFIG_INVALID: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.CONFIG_INVALID"),
  },
  DECRYPTION_FAILED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.DECRYPTION_FAILED"),
  },
  MALFORMED: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.MALFORMED"),
  },
  CONFIG_MISSING: {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.CONFIG_MISSING"),
  },
};

/**
 * A code this console does not know, by its HTTP status: any 429 is WeChat slowing us down and any 5xx is WeChat's
 * own trouble (both retried with the same number); anything else ends the refund, its raw code shown to the operator.
 */
function unknownCode(code: string, httpStatus?: number): CodeInfo {
  if (httpStatus === 429) return CODES.FREQUENCY_LIMITED as CodeInfo;
  if (httpStatus !== undefined && httpStatus >= 500) return CODES.SYSTEM_ERROR as CodeInfo;
  const status = httpStatus === undefined ? "" : `, HTTP ${httpStatus}`;
  return {
    advice: "final",
    message: msg("outcomes.wechatpay.errors.UNKNOWN_CODE", { code, status }),
  };
}

/** Every code the console knows, for the table in docs/wechatpay.md (a test keeps the two in step). */
export function knownErrorCodes(): string[] {
  return Object.keys(CODES);
}

/** Advice and operator message for a WeChat or console error code; see `unknownCode` for codes not listed. */
export function describeCode(code: string, httpStatus?: number): CodeInfo {
  return CODES[code] ?? unknownCode(code, httpStatus);
}

export function wechatPayError(
  kind: WechatPayErrorKind,
  code: string,
  detail: string,
  httpStatus?: number,
): WechatPayError {
  const info = describeCode(code, httpStatus);
  return { kind, code, detail, httpStatus, advice: info.advice, message: info.message };
}
