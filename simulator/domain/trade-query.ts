/**
 * 查询订单 as WeChat answers it, for both protocols: which payment a query names, its trade_state, and its fields
 * (APIv3 JSON object, APIv2 XML fields). The simulator's payments are registered through the control API.
 */
import { beijingIso, beijingPlain } from "../../lib/beijing-time";
import { refundsOfTransaction, transactionById } from "../state/lookups";
import { entityKey, type Merchant, type SimState, type Transaction } from "../state/schema";

type TradeState = "SUCCESS" | "REFUND" | NonNullable<Transaction["tradeState"]>;

/** WeChat's trade_state_desc for each state. */
const DESCRIPTION: Record<TradeState, string> = {
  SUCCESS: "支付成功",
  REFUND: "转入退款",
  NOTPAY: "未支付",
  CLOSED: "已关闭",
  REVOKED: "已撤销（付款码支付）",
  USERPAYING: "用户支付中（付款码支付）",
  PAYERROR: "支付失败(其他原因，如银行返回失败)",
};

/**
 * The payment a query names, for this merchant (and sub-merchant in partner mode). An unpaid order has no
 * transaction_id at WeChat, so it is found by out_trade_no only.
 */
export function findPayment(
  state: SimState,
  mchid: string,
  ref: { transactionId: string } | { outTradeNo: string },
  subMchid: string | undefined,
): Transaction | undefined {
  const found =
    "transactionId" in ref
      ? transactionById(state, mchid, ref.transactionId)
      : state.transactions[entityKey(mchid, ref.outTradeNo)];
  if (!found || (found.subMchid ?? "") !== (subMchid ?? "")) return undefined;
  return "transactionId" in ref && found.tradeState !== undefined ? undefined : found;
}

/** SUCCESS until a refund of it is requested (REFUND, 转入退款); an unpaid order keeps its own state. */
export function tradeStateOf(state: SimState, transaction: Transaction): TradeState {
  if (transaction.tradeState) return transaction.tradeState;
  return refundsOfTransaction(state, transaction).some((r) => r.status !== "CLOSED") ? "REFUND" : "SUCCESS";
}

/** The APIv3 answer: direct (`mchid`, `appid`, `payer.openid`) or partner (`sp_mchid`, `sub_mchid`, `payer.sp_openid`). */
export function v3TransactionObject(
  state: SimState,
  merchant: Merchant,
  transaction: Transaction,
  partner: boolean,
): Record<string, unknown> {
  const tradeState = tradeStateOf(state, transaction);
  const paid = tradeState === "SUCCESS" || tradeState === "REFUND";
  const who = partner
    ? { sp_appid: merchant.appid, sp_mchid: merchant.mchid, sub_mchid: transaction.subMchid }
    : { appid: merchant.appid, mchid: merchant.mchid };
  const common = {
    ...who,
    out_trade_no: transaction.outTradeNo,
    trade_state: tradeState,
    trade_state_desc: DESCRIPTION[tradeState],
    ...(transaction.attach === undefined ? {} : { attach: transaction.attach }),
  };
  if (!paid) return { ...common, amount: { currency: "CNY", payer_currency: "CNY" }, payer: {} };
  return {
    ...common,
    transaction_id: transaction.transactionId,
    trade_type: "JSAPI",
    bank_type: "OTHERS",
    success_time: beijingIso(transaction.paidAt),
    payer: partner ? { sp_openid: transaction.payerOpenid } : { openid: transaction.payerOpenid },
    amount: {
      total: transaction.totalFen,
      // No coupons in the simulator: the payer paid the whole order.
      payer_total: transaction.totalFen,
      currency: "CNY",
      payer_currency: "CNY",
    },
    promotion_detail: [],
  };
}

/** The APIv2 answer's business fields (`time_end` in Beijing time as `yyyyMMddHHmmss`). */
export function v2OrderFields(state: SimState, transaction: Transaction): Record<string, string> {
  const tradeState = tradeStateOf(state, transaction);
  const common = {
    out_trade_no: transaction.outTradeNo,
    trade_state: tradeState,
    trade_state_desc: DESCRIPTION[tradeState],
    ...(transaction.attach === undefined ? {} : { attach: transaction.attach }),
  };
  if (tradeState !== "SUCCESS" && tradeState !== "REFUND") return common;
  return {
    ...common,
    openid: transaction.payerOpenid,
    is_subscribe: "N",
    trade_type: "JSAPI",
    bank_type: "OTHERS",
    total_fee: String(transaction.totalFen),
    fee_type: "CNY",
    cash_fee: String(transaction.totalFen),
    transaction_id: transaction.transactionId,
    time_end: beijingPlain(transaction.paidAt).replace(/[- :]/g, ""),
  };
}
