/**
 * The payments in WeChat's ALL trade bill (交易账单, bill_type=ALL): a SUCCESS line is a payment of the day; a REFUND
 * line is a refund started that day, and names its payment (商户订单号, 微信订单号, 订单金额), which may be older.
 * REVOKED (撤销) and anything else is not a payment to keep.
 */
import { fromBeijingPlain } from "../beijing-time";
import { err, ok, type Result } from "../result";
import { billAmount, billInvalid } from "./bill-reader";
import type { WechatPayError } from "./errors";

/** The column every trade bill header has, to recognise one. */
export const TRADE_BILL_KEY_COLUMN = "商户订单号";

export interface TradeBillPayment {
  lineNo: number;
  /** 交易状态 of the line: SUCCESS (the payment itself) or REFUND (a refund of it). */
  state: "SUCCESS" | "REFUND";
  /** 交易时间: when it was paid (SUCCESS), or when the refund was started (REFUND): the payment is at or before it. */
  time: Date;
  outTradeNo: string;
  transactionId: string;
  payerOpenid: string | null;
  /** 订单金额 (what the payer was charged, coupons included); 应结订单金额 on a bill without that column. */
  totalFen: number;
  currency: string;
  /** 商品名称 */
  description: string;
}

const PAYMENT_STATES = new Set(["SUCCESS", "REFUND"]);

/** A bill line as a payment, null for a line that is not one (REVOKED…), or why the line is unusable. */
export function tradeBillPayment(
  lineNo: number,
  raw: Record<string, string>,
): Result<TradeBillPayment | null, WechatPayError> {
  const state = raw["交易状态"] ?? "";
  if (!PAYMENT_STATES.has(state)) return ok(null);
  const where = `line ${lineNo}`;
  const outTradeNo = raw["商户订单号"] ?? "";
  const transactionId = raw["微信订单号"] ?? "";
  if (outTradeNo === "" || transactionId === "") return err(billInvalid(`${where} has no 商户订单号 or 微信订单号`));
  const iso = fromBeijingPlain(raw["交易时间"]);
  if (!iso) return err(billInvalid(`${where}: 交易时间 ${JSON.stringify(raw["交易时间"])} is not a time`));
  const total = billAmount(raw, "订单金额" in raw ? "订单金额" : "应结订单金额", where);
  if (!total.ok) return total;
  return ok({
    lineNo,
    state: state as TradeBillPayment["state"],
    time: new Date(iso),
    outTradeNo,
    transactionId,
    payerOpenid: raw["用户标识"] || null,
    totalFen: total.value,
    currency: raw["货币种类"] || "CNY",
    description: raw["商品名称"] ?? "",
  });
}
