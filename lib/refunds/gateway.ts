import type { WechatPayError } from "../wechatpay/errors";
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

/** The refund service's view of WeChat Pay; `lib/wechatpay/gateway.ts` implements it for APIv3 and APIv2. */
export interface RefundGateway {
  apply(submission: RefundSubmission): Promise<Result<GatewayRefund, WechatPayError>>;
  query(outRefundNo: string): Promise<Result<GatewayRefund, WechatPayError>>;
  applyAbnormal(request: AbnormalRefundRequest): Promise<Result<GatewayRefund, WechatPayError>>;
}
