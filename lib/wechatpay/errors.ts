import type { BilingualText } from "../i18n-text";

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
  message: BilingualText;
}

interface CodeInfo {
  advice: RetryAdvice;
  message: BilingualText;
}

/** WeChat Pay error codes (APIv3 names; APIv2 codes are mapped onto these by the v2 module). */
const CODES: Record<string, CodeInfo> = {
  SYSTEM_ERROR: {
    advice: "retry",
    message: {
      zh: "微信支付系统繁忙，请稍后使用同一退款单号重试。",
      en: "WeChat Pay is busy. Retry later with the same refund number.",
    },
  },
  FREQUENCY_LIMITED: {
    advice: "retry",
    message: {
      zh: "请求过于频繁，已被微信支付限流，请稍后使用同一退款单号重试。",
      en: "Too many requests: WeChat Pay is rate-limiting. Retry later with the same refund number.",
    },
  },
  BIZ_ERR_NEED_RETRY: {
    advice: "retry",
    message: {
      zh: "退款处理中，请稍后使用同一退款单号重试。",
      en: "WeChat Pay asks for a retry. Retry later with the same refund number.",
    },
  },
  NOT_ENOUGH: {
    advice: "final",
    message: {
      zh: "商户可用余额不足。请充值或关闭自动提现后，使用同一退款单号重试。",
      en: "The merchant's available balance is too low. Top up or turn off automatic withdrawal, then retry with the same refund number.",
    },
  },
  USER_ACCOUNT_ABNORMAL: {
    advice: "final",
    message: {
      zh: "付款用户的微信账户异常或已注销，微信支付不受理这笔退款（未生成微信退款单，无法申请异常退款）。请通过其他方式（如银行转账）退款给用户并做好记录。",
      en: "The payer's WeChat account is abnormal or closed, so WeChat Pay refused the refund (no WeChat refund was created, so no abnormal-refund application is possible). Refund the payer by other means, such as a bank transfer, and keep a record.",
    },
  },
  INVALID_REQUEST: {
    advice: "final",
    message: {
      zh: "请求不符合微信支付的业务规则（例如退款金额超过可退金额、订单已超过退款期限或同一退款单号内容不一致）。",
      en: "WeChat Pay refused the request under its business rules (for example the amount exceeds what is refundable, the order is too old, or the refund number was reused with different content).",
    },
  },
  PARAM_ERROR: {
    advice: "final",
    message: { zh: "请求参数错误，请检查退款信息。", en: "WeChat Pay rejected a parameter. Check the refund details." },
  },
  NO_AUTH: {
    advice: "final",
    message: {
      zh: "商户没有退款权限，请在商户平台检查产品权限。",
      en: "The merchant is not authorised for this refund. Check the product permissions in the merchant platform.",
    },
  },
  RESOURCE_NOT_EXISTS: {
    advice: "final",
    message: { zh: "微信支付找不到该订单或退款单。", en: "WeChat Pay does not know this order or refund." },
  },
  ORDER_NOT_EXIST: {
    advice: "final",
    message: { zh: "微信支付找不到该订单。", en: "WeChat Pay does not know this order." },
  },
  MCH_NOT_EXISTS: {
    advice: "final",
    message: {
      zh: "商户号不存在，请检查商户配置。",
      en: "The merchant ID does not exist. Check the merchant settings.",
    },
  },
  SIGN_ERROR: {
    advice: "final",
    message: {
      zh: "微信支付无法验证请求签名：商户私钥与商户API证书序列号（WECHATPAY_MERCHANT_SERIAL_NO）不匹配，或商户号有误（APIv2：API 密钥有误）。请在商户平台核对证书序列号和密钥后，使用同一退款单号重试。",
      en: "WeChat Pay could not verify the request's signature: the merchant private key does not belong to the API certificate serial number (WECHATPAY_MERCHANT_SERIAL_NO), or the merchant ID is wrong (APIv2: the API key is wrong). Check them in the merchant platform, then retry with the same refund number.",
    },
  },
  REQUEST_BLOCKED: {
    advice: "final",
    message: {
      zh: "微信支付拦截了该请求（商户或交易受限）。请查看微信返回的说明，在商户平台处理或联系微信支付后，再使用同一退款单号重试。",
      en: "WeChat Pay blocked the request (the merchant or the transaction is restricted). Read WeChat's message, resolve it in the merchant platform or with WeChat Pay, then retry with the same refund number.",
    },
  },
  FREQUENCY_LIMIT_EXCEED: {
    advice: "retry",
    message: { zh: "超出频率限制，请稍后重试。", en: "Rate limit exceeded. Retry later." },
  },
  // APIv2 codes WeChat returns under these names (the v2 module maps the others onto the APIv3 names above).
  INVALID_TRANSACTIONID: {
    advice: "final",
    message: {
      zh: "微信订单号无效，请检查原支付交易是否存在。",
      en: "The WeChat transaction ID is invalid. Check that the original payment exists.",
    },
  },
  APPID_NOT_EXIST: {
    advice: "final",
    message: {
      zh: "APPID 不存在或与商户号不匹配，请检查商户配置。",
      en: "The APPID does not exist or does not belong to the merchant. Check the merchant settings.",
    },
  },
  ORDERPAID: {
    advice: "final",
    message: {
      zh: "订单状态不允许该操作（例如订单已全额退款），请先查询订单与退款状态。",
      en: "The order's state does not allow this (for example it is already fully refunded). Query the order and its refunds first.",
    },
  },
  XML_FORMAT_ERROR: {
    advice: "final",
    message: { zh: "微信支付无法解析请求的 XML。", en: "WeChat Pay could not parse the request XML." },
  },
  REQUIRE_POST_METHOD: {
    advice: "final",
    message: { zh: "请求未使用 POST 方法。", en: "The request was not sent with POST." },
  },
  POST_DATA_EMPTY: {
    advice: "final",
    message: { zh: "请求内容为空。", en: "The request body was empty." },
  },
  NOT_UTF8: {
    advice: "final",
    message: { zh: "请求编码不是 UTF-8。", en: "The request was not UTF-8 encoded." },
  },
  // APIv2 codes of the console's own.
  XML_DTD_FORBIDDEN: {
    advice: "final",
    message: {
      zh: "XML 报文含有 DTD、实体声明或处理指令，出于安全原因已拒绝。",
      en: "The XML contains a DTD, an entity declaration or a processing instruction, and was refused for safety.",
    },
  },
  REQ_INFO_LENGTH_INVALID: {
    advice: "final",
    message: {
      zh: "退款通知的 req_info 密文长度不正确（可能被截断）。",
      en: "The refund notification's req_info has an impossible length (it may be truncated).",
    },
  },
  REQ_INFO_DECRYPT_FAILED: {
    advice: "final",
    message: {
      zh: "退款通知的 req_info 无法解密，请检查 APIv2 密钥（API 密钥）。",
      en: "The refund notification's req_info does not decrypt. Check the APIv2 key (API 密钥).",
    },
  },
  CLIENT_CERT_INVALID: {
    advice: "final",
    message: {
      zh: "商户 API 证书（apiclient_cert.p12）无法使用，请检查证书文件、密码（默认为商户号）及是否过期。",
      en: "The merchant API certificate (apiclient_cert.p12) cannot be used. Check the file, its password (the merchant ID by default) and its expiry.",
    },
  },
  // Our own codes for failures that never reached a WeChat answer.
  TIMEOUT: {
    advice: "unknown",
    message: {
      zh: "微信支付未在规定时间内应答，退款结果未知，将先按退款单号查询后再决定是否重发。",
      en: "WeChat Pay did not answer in time. The outcome is unknown: the console queries by refund number before sending again.",
    },
  },
  CONNECTION_RESET: {
    advice: "unknown",
    message: {
      zh: "与微信支付的连接中断，退款结果未知，将先查询再决定是否重发。",
      en: "The connection to WeChat Pay was cut. The outcome is unknown: the console queries before sending again.",
    },
  },
  CONNECTION_FAILED: {
    advice: "retry",
    message: {
      zh: "无法连接微信支付，请求未发出，可使用同一退款单号重试。",
      en: "Could not connect to WeChat Pay; nothing was sent. Retry with the same refund number.",
    },
  },
  SIGNATURE_INVALID: {
    advice: "unknown",
    message: {
      zh: "微信支付应答的签名无法验证，已作为错误处理。",
      en: "The signature of WeChat Pay's answer could not be verified, so the answer was treated as an error.",
    },
  },
  // APIv3 verification and decryption codes. Verification failures are `unknown`: when an answer to our own
  // request cannot be trusted, the request may still have taken effect at WeChat.
  HEADERS_MISSING: {
    advice: "unknown",
    message: {
      zh: "微信支付应答或通知缺少签名头（或格式不正确），无法验证，已作为错误处理。",
      en: "The answer or notification lacks usable WeChat Pay signature headers, so it was treated as an error.",
    },
  },
  TIMESTAMP_SKEW: {
    advice: "unknown",
    message: {
      zh: "签名时间戳与本机时间相差超过 5 分钟，可能是重放或本机时钟不准，已拒绝。",
      en: "The signature timestamp is more than 5 minutes from local time (a replay, or a wrong clock), so it was refused.",
    },
  },
  SIGNATURE_PROBE: {
    advice: "final",
    message: {
      zh: "这是微信支付的签名探测请求，已按要求拒绝。",
      en: "This is a WeChat Pay signature probe; it was refused, as WeChat expects.",
    },
  },
  UNKNOWN_SERIAL: {
    advice: "unknown",
    message: {
      zh: "签名使用了未知的平台证书序列号或公钥 ID，请检查平台证书或微信支付公钥配置。",
      en: "The signature names an unknown platform certificate serial or public key ID. Check the platform certificate or WeChat Pay public key settings.",
    },
  },
  AUTHORIZATION_INVALID: {
    advice: "final",
    message: {
      zh: "Authorization 请求头格式不正确。",
      en: "The Authorization header is not in the WECHATPAY2-SHA256-RSA2048 format.",
    },
  },
  BODY_TOO_LARGE: {
    advice: "unknown",
    message: { zh: "报文超过大小上限，已拒绝。", en: "The message exceeds the size limit and was refused." },
  },
  NOT_SUPPORTED: {
    advice: "final",
    message: {
      zh: "该商户所用的接口版本不支持此操作（异常退款申请仅支持 APIv3）。",
      en: "The merchant's API version does not support this (abnormal-refund applications exist only in APIv3).",
    },
  },
  UNEXPECTED_RESPONSE: {
    advice: "unknown",
    message: {
      zh: "微信支付的应答格式与文档不符，结果未知，将先按退款单号查询后再决定是否重发。",
      en: "WeChat Pay's answer does not have the documented shape. The outcome is unknown: the console queries by refund number before sending again.",
    },
  },
  NOT_BASE64: {
    advice: "final",
    message: { zh: "密文或签名不是合法的 Base64。", en: "A ciphertext or signature is not valid base64." },
  },
  CIPHERTEXT_TOO_SHORT: {
    advice: "final",
    message: { zh: "密文长度不足（被截断）。", en: "The ciphertext is too short (truncated)." },
  },
  UNSUPPORTED_ALGORITHM: {
    advice: "final",
    message: { zh: "不支持的加密算法。", en: "Unsupported encryption algorithm." },
  },
  APIV3_KEY_INVALID: {
    advice: "final",
    message: {
      zh: "APIv3 密钥长度不正确（应为 32 字节）。",
      en: "The APIv3 key has the wrong length (it must be 32 bytes).",
    },
  },
  CERTIFICATE_INVALID: {
    advice: "final",
    message: {
      zh: "平台证书无法解析，或其序列号与声明不一致。",
      en: "A platform certificate cannot be parsed, or its serial number does not match the one declared.",
    },
  },
  NO_PLATFORM_KEY: {
    advice: "retry",
    message: {
      zh: "没有可用的微信支付平台证书或公钥，无法加密敏感信息，请求未发出。",
      en: "No WeChat Pay platform certificate or public key is available to encrypt sensitive fields; nothing was sent.",
    },
  },
  ENCRYPTION_FAILED: {
    advice: "final",
    message: {
      zh: "敏感信息加密失败（内容过长或密钥不可用），请求未发出。",
      en: "Encrypting a sensitive field failed (too long, or an unusable key); nothing was sent.",
    },
  },
  REQUEST_INVALID: {
    advice: "final",
    message: {
      zh: "请求参数不完整或格式不正确，请求未发出。",
      en: "The request is incomplete or malformed; nothing was sent.",
    },
  },
  UNEXPECTED_EVENT_TYPE: {
    advice: "final",
    message: { zh: "通知的事件类型与预期不符。", en: "The notification's event type is not the expected one." },
  },
  CONFIG_INVALID: {
    advice: "final",
    message: { zh: "商户配置无效。", en: "The merchant configuration is invalid." },
  },
  DECRYPTION_FAILED: {
    advice: "final",
    message: { zh: "数据解密失败，请检查 APIv3 密钥。", en: "Decryption failed. Check the APIv3 key." },
  },
  MALFORMED: {
    advice: "final",
    message: { zh: "报文格式不正确。", en: "The message is not in the documented format." },
  },
  CONFIG_MISSING: {
    advice: "final",
    message: { zh: "商户配置不完整。", en: "The merchant configuration is incomplete." },
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
    message: {
      zh: `微信支付返回了本系统未收录的错误（${code}${status}）。请查看微信返回的说明，处理后使用同一退款单号重试。`,
      en: `WeChat Pay answered with an error this console does not know (${code}${status}). Read WeChat's message, act on it, then retry with the same refund number.`,
    },
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
