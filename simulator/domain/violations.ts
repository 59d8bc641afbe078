/**
 * Why the gateway refuses a request, once, and how each protocol says it: APIv3 as an HTTP status with
 * `{code, message}`, APIv2 as `result_code FAIL` with `err_code` / `err_code_des`. Codes and messages are WeChat's.
 */

export type ViolationKind =
  | "PARAM"
  | "TRANSACTION_NOT_FOUND"
  | "REFUND_NOT_FOUND"
  | "TRADE_OVERDUE"
  | "TOO_MANY_REFUNDS"
  | "AMOUNT_EXCEEDS_REFUNDABLE"
  | "TOTAL_MISMATCH"
  | "REFUND_NO_REUSED"
  | "NOT_ENOUGH"
  | "ORDER_INTERVAL"
  | "RATE_LIMITED"
  | "ERROR_RATE_LIMITED"
  | "NOT_ABNORMAL"
  | "SYSTEM_ERROR"
  | "SIGN"
  | "APPID_MISMATCH"
  | "NO_STATEMENT"
  | "STATEMENT_CREATING"
  | "DOWNLOAD_EXPIRED";

export interface Violation {
  kind: ViolationKind;
  /** Replaces the default message where the particulars help (which parameter, which limit). */
  message?: string;
}

interface Wording {
  v3: { status: number; code: string };
  v2: { errCode: string };
  message: string;
}

const WORDING: Record<ViolationKind, Wording> = {
  PARAM: { v3: { status: 400, code: "PARAM_ERROR" }, v2: { errCode: "PARAM_ERROR" }, message: "参数错误" },
  TRANSACTION_NOT_FOUND: {
    v3: { status: 404, code: "RESOURCE_NOT_EXISTS" },
    v2: { errCode: "ORDERNOTEXIST" },
    message: "订单不存在",
  },
  REFUND_NOT_FOUND: {
    v3: { status: 404, code: "RESOURCE_NOT_EXISTS" },
    v2: { errCode: "REFUNDNOTEXIST" },
    message: "退款单不存在",
  },
  TRADE_OVERDUE: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "TRADE_OVERDUE" },
    message: "订单已经超过退款期限",
  },
  TOO_MANY_REFUNDS: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "ERROR" },
    message: "订单退款次数已达上限（50次）",
  },
  AMOUNT_EXCEEDS_REFUNDABLE: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "ERROR" },
    message: "申请退款金额超过订单可退金额",
  },
  TOTAL_MISMATCH: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "INVALID_REQUEST" },
    message: "订单金额与原支付金额不一致",
  },
  REFUND_NO_REUSED: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "REFUND_FEE_MISMATCH" },
    message: "订单金额或退款金额与之前请求不一致，请核实后再试",
  },
  NOT_ENOUGH: { v3: { status: 403, code: "NOT_ENOUGH" }, v2: { errCode: "NOTENOUGH" }, message: "基本账户余额不足，请充值后重新发起" },
  ORDER_INTERVAL: {
    v3: { status: 429, code: "FREQUENCY_LIMITED" },
    v2: { errCode: "FREQUENCY_LIMITED" },
    message: "同一订单的退款申请过于频繁，请稍后再试",
  },
  RATE_LIMITED: {
    v3: { status: 429, code: "FREQUENCY_LIMITED" },
    v2: { errCode: "FREQUENCY_LIMITED" },
    message: "请求频率超过限制，请降低频率后重试",
  },
  ERROR_RATE_LIMITED: {
    v3: { status: 429, code: "FREQUENCY_LIMITED" },
    v2: { errCode: "INVALID_REQ_TOO_MUCH" },
    message: "无效请求过多，请稍后再试",
  },
  NOT_ABNORMAL: {
    v3: { status: 400, code: "INVALID_REQUEST" },
    v2: { errCode: "INVALID_REQUEST" },
    message: "退款单状态不是退款异常，不能发起异常退款",
  },
  SYSTEM_ERROR: { v3: { status: 500, code: "SYSTEM_ERROR" }, v2: { errCode: "SYSTEMERROR" }, message: "系统超时" },
  SIGN: { v3: { status: 401, code: "SIGN_ERROR" }, v2: { errCode: "SIGNERROR" }, message: "签名错误" },
  APPID_MISMATCH: {
    v3: { status: 400, code: "PARAM_ERROR" },
    v2: { errCode: "APPID_NOT_EXIST" },
    message: "appid与商户号不匹配",
  },
  // Bills: APIv2 refuses these with return_code FAIL and a return_msg instead (see http/bills.ts).
  NO_STATEMENT: { v3: { status: 400, code: "NO_STATEMENT_EXIST" }, v2: { errCode: "20002" }, message: "账单文件不存在" },
  STATEMENT_CREATING: { v3: { status: 400, code: "STATEMENT_CREATING" }, v2: { errCode: "20001" }, message: "账单生成中，请稍后再试" },
  DOWNLOAD_EXPIRED: { v3: { status: 400, code: "INVALID_REQUEST" }, v2: { errCode: "INVALID_REQUEST" }, message: "账单下载链接已失效，请重新申请" },
};

export const violation = (kind: ViolationKind, message?: string): Violation => ({ kind, message });

export function v3Error(v: Violation): { status: number; body: { code: string; message: string } } {
  const wording = WORDING[v.kind];
  return { status: wording.v3.status, body: { code: wording.v3.code, message: v.message ?? wording.message } };
}

export function v2Error(v: Violation): { err_code: string; err_code_des: string } {
  const wording = WORDING[v.kind];
  return { err_code: wording.v2.errCode, err_code_des: v.message ?? wording.message };
}
