import type { WechatPayError } from "../wechatpay/errors";
import type { TransactionRef } from "../wechatpay/transaction-ref";
import type { Result } from "../result";

/** The statuses WeChat reports for a refund it has accepted. */
export type GatewayRefundStatus = "PROCESSING" | "SUCCESS" | "CLOSED" | "ABNORMAL";

/** A refund as WeChat Pay knows it, whichever protocol reported it. */
export interface GatewayRefund {
  refundId: string;
  status: GatewayRefundStatus;
  channel?: string;
  userReceivedAccount?: string;
  fundsAccount?: string;
  successTime?: string;
}

/** Everything WeChat needs to execute a refund; resent unchanged on every retry. */
export interface RefundSubmission {
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  amountFen: number;
  totalFen: number;
  reason: string;
  notifyUrl?: string;
  fundsAccount?: "AVAILABLE";
}

export interface AbnormalRefundRequest {
  refundId: string;
  outRefundNo: string;
  type: "USER_BANK_CARD" | "MERCHANT_BANK_CARD";
  bankType?: string;
  bankAccount?: string;
  realName?: string;
}

/** WeChat's trade_state: SUCCESS and REFUND are paid; the others are not (or not yet). */
export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

/** A payment as WeChat Pay's order query reports it, whichever protocol asked. Unpaid ones lack most fields. */
export interface GatewayTransaction {
  outTradeNo: string;
  transactionId?: string;
  tradeState: TradeState;
  tradeStateDesc?: string;
  totalFen?: number;
  payerTotalFen?: number;
  currency?: string;
  payerOpenid?: string;
  /** An instant (ISO 8601 with offset). */
  successTime?: string;
  attach?: string;
}

/** One refund of a payment as WeChat lists them, whoever made it. */
export interface GatewayRefundRecord extends GatewayRefund {
  outRefundNo: string;
  amountFen: number;
}

/** The refund service's view of WeChat Pay; `lib/wechatpay/gateway.ts` implements it for APIv3 and APIv2. */
export interface RefundGateway {
  apply(submission: RefundSubmission): Promise<Result<GatewayRefund, WechatPayError>>;
  query(outRefundNo: string): Promise<Result<GatewayRefund, WechatPayError>>;
  applyAbnormal(request: AbnormalRefundRequest): Promise<Result<GatewayRefund, WechatPayError>>;
  /** 查询订单 by transaction_id or out_trade_no. */
  queryTransaction(ref: TransactionRef): Promise<Result<GatewayTransaction, WechatPayError>>;
  /**
   * Every refund WeChat holds for a payment (APIv2 查询退款 by transaction_id). Null where the protocol has no such
   * query: APIv3 answers refunds by number only, and its merchants learn of other refunds from the refund bill.
   */
  listRefunds(transactionId: string): Promise<Result<GatewayRefundRecord[] | null, WechatPayError>>;
}
