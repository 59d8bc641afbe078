/**
 * Why the gateway refuses a request, once, and how each protocol says it: APIv3 as an HTTP status with
 * `{code, message}`, APIv2 as `result_code FAIL` with `err_code` / `err_code_des`. Codes and messages are WeChat's.
 */

/** How both protocols word one refusal: APIv3's HTTP status and code, APIv2's err_code, and WeChat's message. */
interface Wording {
  status: number;
  v3: string;
  v2: string;
  message: string;
}

/** One row per refusal; the kinds are this table's keys. */
const WORDING = {
  PARAM: { status: 400, v3: "PARAM_ERROR", v2: "PARAM_ERROR", message: "参数错误" },
  TRANSACTION_NOT_FOUND: { status: 404, v3: "RESOURCE_NOT_EXISTS", v2: "ORDERNOTEXIST", message: "订单不存在" },
  /** 查询订单 of an order WeChat does not know: APIv3 404 ORDER_NOT_EXIST, APIv2 ORDERNOTEXIST. */
  ORDER_NOT_EXIST: { status: 404, v3: "ORDER_NOT_EXIST", v2: "ORDERNOTEXIST", message: "订单不存在" },
  REFUND_NOT_FOUND: { status: 404, v3: "RESOURCE_NOT_EXISTS", v2: "REFUNDNOTEXIST", message: "退款单不存在" },
  TRADE_OVERDUE: { status: 400, v3: "INVALID_REQUEST", v2: "TRADE_OVERDUE", message: "订单已经超过退款期限" },
  TOO_MANY_REFUNDS: { status: 400, v3: "INVALID_REQUEST", v2: "ERROR", message: "订单退款次数已达上限（50次）" },
  AMOUNT_EXCEEDS_REFUNDABLE: {
    status: 400,
    v3: "INVALID_REQUEST",
    v2: "ERROR",
    message: "申请退款金额超过订单可退金额",
  },
  TOTAL_MISMATCH: { status: 400, v3: "INVALID_REQUEST", v2: "INVALID_REQUEST", message: "订单金额与原支付金额不一致" },
  REFUND_NO_REUSED: {
    status: 400,
    v3: "INVALID_REQUEST",
    v2: "REFUND_FEE_MISMATCH",
    message: "订单金额或退款金额与之前请求不一致，请核实后再试",
  },
  NOT_ENOUGH: { status: 403, v3: "NOT_ENOUGH", v2: "NOTENOUGH", message: "基本账户余额不足，请充值后重新发起" },
  ORDER_INTERVAL: {
    status: 429,
    v3: "FREQUENCY_LIMITED",
    v2: "FREQUENCY_LIMITED",
    message: "同一订单的退款申请过于频繁，请稍后再试",
  },
  RATE_LIMITED: {
    status: 429,
    v3: "FREQUENCY_LIMITED",
    v2: "FREQUENCY_LIMITED",
    message: "请求频率超过限制，请降低频率后重试",
  },
  ERROR_RATE_LIMITED: {
    status: 429,
    v3: "FREQUENCY_LIMITED",
    v2: "INVALID_REQ_TOO_MUCH",
    message: "无效请求过多，请稍后再试",
  },
  NOT_ABNORMAL: {
    status: 400,
    v3: "INVALID_REQUEST",
    v2: "INVALID_REQUEST",
    message: "退款单状态不是退款异常，不能发起异常退款",
  },
  SYSTEM_ERROR: { status: 500, v3: "SYSTEM_ERROR", v2: "SYSTEMERROR", message: "系统超时" },
  SIGN: { status: 401, v3: "SIGN_ERROR", v2: "SIGNERROR", message: "签名错误" },
  APPID_MISMATCH: { status: 400, v3: "PARAM_ERROR", v2: "APPID_NOT_EXIST", message: "appid与商户号不匹配" },
  // Bills: APIv2 refuses these with return_code FAIL and a return_msg instead (see http/bills.ts).
  NO_STATEMENT: { status: 400, v3: "NO_STATEMENT_EXIST", v2: "20002", message: "账单文件不存在" },
  STATEMENT_CREATING: { status: 400, v3: "STATEMENT_CREATING", v2: "20001", message: "账单生成中，请稍后再试" },
  DOWNLOAD_EXPIRED: {
    status: 400,
    v3: "INVALID_REQUEST",
    v2: "INVALID_REQUEST",
    message: "账单下载链接已失效，请重新申请",
  },
} as const satisfies Record<string, Wording>;

export type ViolationKind = keyof typeof WORDING;

export interface Violation {
  kind: ViolationKind;
  /** Replaces the default message where the particulars help (which parameter, which limit). */
  message?: string;
}

export const violation = (kind: ViolationKind, message?: string): Violation => ({ kind, message });

export function v3Error(v: Violation): { status: number; body: { code: string; message: string } } {
  const wording: Wording = WORDING[v.kind];
  return { status: wording.status, body: { code: wording.v3, message: v.message ?? wording.message } };
}

export function v2Error(v: Violation): { err_code: string; err_code_des: string } {
  const wording: Wording = WORDING[v.kind];
  return { err_code: wording.v2, err_code_des: v.message ?? wording.message };
}
