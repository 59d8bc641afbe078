/**
 * APIv2 failures mapped onto the console's (APIv3-style) error codes, so the refund workflow handles
 * both protocols with one table of advice. WeChat's own code and message always stay in `detail`.
 */
import { wechatPayError, type WechatPayError } from "../errors";

/** `err_code` (when `result_code` is FAIL) → console code. Source: the refund and refund-query error tables. */
const ERR_CODES: Readonly<Record<string, string>> = {
  SYSTEMERROR: "SYSTEM_ERROR",
  BIZERR_NEED_RETRY: "BIZ_ERR_NEED_RETRY",
  ORDER_NOT_READY: "BIZ_ERR_NEED_RETRY", // 订单处理中，暂时无法退款，请稍后再试
  NOTENOUGH: "NOT_ENOUGH",
  ORDERNOTEXIST: "RESOURCE_NOT_EXISTS",
  REFUNDNOTEXIST: "RESOURCE_NOT_EXISTS",
  INVALID_REQ_TOO_MUCH: "FREQUENCY_LIMITED",
  FREQUENCY_LIMITED: "FREQUENCY_LIMITED",
  USER_ACCOUNT_ABNORMAL: "USER_ACCOUNT_ABNORMAL",
  INVALID_TRANSACTIONID: "INVALID_TRANSACTIONID",
  PARAM_ERROR: "PARAM_ERROR",
  APPID_NOT_EXIST: "APPID_NOT_EXIST",
  MCHID_NOT_EXIST: "MCH_NOT_EXISTS",
  ORDERPAID: "ORDERPAID",
  // ERROR carries the real reason in err_code_des, e.g. 申请退款金额超过订单可退金额 or 订单已全额退款.
  ERROR: "INVALID_REQUEST",
  INVALID_REQUEST: "INVALID_REQUEST",
  TRADE_OVERDUE: "INVALID_REQUEST", // older than one year
  REFUND_FEE_MISMATCH: "INVALID_REQUEST", // same out_refund_no, different amounts
  SIGNERROR: "SIGN_ERROR",
  XML_FORMAT_ERROR: "XML_FORMAT_ERROR",
  REQUIRE_POST_METHOD: "REQUIRE_POST_METHOD",
  POST_DATA_EMPTY: "POST_DATA_EMPTY",
  NOT_UTF8: "NOT_UTF8",
  NOAUTH: "NO_AUTH",
  CERT_ERROR: "CLIENT_CERT_INVALID",
};

/**
 * `return_code` FAIL has no code, only a message (签名错误, 参数格式校验错误, invalid refund_fee…).
 * First match wins; a message nobody recognises is a refusal of the request as sent.
 */
const RETURN_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/签名|sign/i, "SIGN_ERROR"],
  [/xml/i, "XML_FORMAT_ERROR"],
  [/post数据为空|post data.*empty/i, "POST_DATA_EMPTY"],
  [/post/i, "REQUIRE_POST_METHOD"],
  [/编码|utf-?8/i, "NOT_UTF8"],
  [/证书|cert/i, "CLIENT_CERT_INVALID"],
  [/appid/i, "APPID_NOT_EXIST"],
  [/mch_?id|商户号/i, "MCH_NOT_EXISTS"],
  [/频率|too (?:much|many)|frequen/i, "FREQUENCY_LIMITED"],
  [/系统(?:繁忙|错误|超时)|system ?error/i, "SYSTEM_ERROR"],
  [/参数|invalid|param/i, "PARAM_ERROR"],
];

/** Error for `result_code` FAIL. Unknown codes keep WeChat's name (and the default "final" advice). */
export function errorFromErrCode(errCode: string, errCodeDes: string | undefined): WechatPayError {
  const code = ERR_CODES[errCode] ?? errCode;
  return wechatPayError("business", code, `err_code=${errCode} err_code_des=${errCodeDes ?? ""}`);
}

/** Error for `return_code` FAIL, classified by `return_msg`. */
export function errorFromReturnMsg(returnMsg: string | undefined): WechatPayError {
  const message = returnMsg ?? "";
  const code = RETURN_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? "INVALID_REQUEST";
  return wechatPayError("business", code, `return_code=FAIL return_msg=${message}`);
}
