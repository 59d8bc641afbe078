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
      zh: "用户账户异常或已注销，无法原路退款，可申请异常退款。",
      en: "The payer's account is abnormal or closed; the refund cannot go back the original way. Apply for an abnormal refund.",
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
    message: { zh: "商户号不存在，请检查商户配置。", en: "The merchant ID does not exist. Check the merchant settings." },
  },
  SIGN_ERROR: {
    advice: "final",
    message: {
      zh: "签名错误，请检查商户私钥、证书序列号或 API 密钥配置。",
      en: "Signature error. Check the merchant private key, certificate serial number or API key.",
    },
  },
  FREQUENCY_LIMIT_EXCEED: {
    advice: "retry",
    message: { zh: "超出频率限制，请稍后重试。", en: "Rate limit exceeded. Retry later." },
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

const UNKNOWN_CODE: CodeInfo = {
  advice: "final",
  message: { zh: "微信支付返回了未知错误。", en: "WeChat Pay returned an unknown error." },
};

/** Advice and operator message for a WeChat or console error code. Unknown codes are final unless the HTTP status is 5xx. */
export function describeCode(code: string, httpStatus?: number): CodeInfo {
  const known = CODES[code];
  if (known) return known;
  if (httpStatus !== undefined && httpStatus >= 500) return CODES.SYSTEM_ERROR as CodeInfo;
  return UNKNOWN_CODE;
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
