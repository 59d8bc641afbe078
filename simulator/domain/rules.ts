/**
 * WeChat Pay's rules for accepting a refund, as one pure function of the state: the same rules for APIv3 and APIv2,
 * checked in the order WeChat reports them. Nothing here changes the state.
 */
import { MAX_REFUNDS_PER_ORDER, nextSubmissionAt, refundWindow } from "../../lib/refunds/policy";
import { err, ok, type Result } from "../../lib/result";
import type { Merchant, Refund, SimState, Transaction } from "../state/schema";
import { entityKey } from "../state/schema";
import { violation, type Violation } from "./violations";
import { refundsOfTransaction, transactionById } from "../state/lookups";

/** A refund request, whichever protocol carried it. */
export interface RefundApplication {
  mchid: string;
  protocol: "v3" | "v2";
  transactionId?: string;
  outTradeNo?: string;
  outRefundNo: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
  fundsAccount: string;
  subMchid?: string;
}

export type Decision = { kind: "replay"; refund: Refund } | { kind: "create"; transaction: Transaction };

function findTransaction(
  state: SimState,
  mchid: string,
  ids: { transactionId?: string; outTradeNo?: string },
): Transaction | undefined {
  // transaction_id wins when both are given, as WeChat documents.
  const found =
    ids.transactionId !== undefined
      ? transactionById(state, mchid, ids.transactionId)
      : ids.outTradeNo === undefined
        ? undefined
        : state.transactions[entityKey(mchid, ids.outTradeNo)];
  // An order that was never paid has nothing to refund: WeChat knows no such paid order.
  return found?.tradeState === undefined ? found : undefined;
}

/** Same out_refund_no, same order and amounts: WeChat answers with the refund it already has. */
function sameContent(refund: Refund, application: RefundApplication): boolean {
  const sameOrder =
    application.transactionId !== undefined
      ? application.transactionId === refund.transactionId
      : application.outTradeNo === refund.outTradeNo;
  return sameOrder && application.refundFen === refund.refundFen && application.totalFen === refund.totalFen;
}

export function decide(
  state: SimState,
  merchant: Merchant,
  application: RefundApplication,
  now: number,
  orderIntervalMs: number,
): Result<Decision, Violation> {
  if (!Number.isSafeInteger(application.refundFen) || application.refundFen < 1) {
    return err(violation("PARAM", "退款金额必须大于等于1分"));
  }
  if (!Number.isSafeInteger(application.totalFen) || application.totalFen < 1) {
    return err(violation("PARAM", "订单金额必须大于等于1分"));
  }

  const existing = state.refunds[entityKey(merchant.mchid, application.outRefundNo)];
  if (existing) {
    return sameContent(existing, application)
      ? ok({ kind: "replay", refund: existing })
      : err(violation("REFUND_NO_REUSED"));
  }

  const transaction = findTransaction(state, merchant.mchid, application);
  if (!transaction) return err(violation("TRANSACTION_NOT_FOUND"));
  if (application.totalFen !== transaction.totalFen) return err(violation("TOTAL_MISMATCH"));
  // "交易时间超过一年的订单无法提交退款": the same calendar year as the console's.
  if (refundWindow(new Date(transaction.paidAt), new Date(now)).closed) return err(violation("TRADE_OVERDUE"));

  const refunds = refundsOfTransaction(state, transaction);
  if (refunds.length >= MAX_REFUNDS_PER_ORDER) return err(violation("TOO_MANY_REFUNDS"));
  // A CLOSED refund gave its money back; every other status holds its amount.
  const held = refunds.filter((r) => r.status !== "CLOSED").reduce((sum, r) => sum + r.refundFen, 0);
  if (held + application.refundFen > transaction.totalFen) return err(violation("AMOUNT_EXCEEDS_REFUNDABLE"));

  const last = refunds.length > 0 ? new Date(Math.max(...refunds.map((r) => r.createTime))) : null;
  if (nextSubmissionAt(last, orderIntervalMs, new Date(now)).getTime() > now) return err(violation("ORDER_INTERVAL"));

  if (merchant.balanceFen < application.refundFen) return err(violation("NOT_ENOUGH"));
  return ok({ kind: "create", transaction });
}
