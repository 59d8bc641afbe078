/**
 * How a refund looks on the wire: the APIv3 refund object of answers, the APIv3 notification resource, and the
 * APIv2 fields of answers and `req_info`. One place, so both protocols describe a refund the same way.
 */
import type { RefundReqInfo } from "../../lib/wechatpay/v2/reqinfo";
import type { FinalStatus, Merchant, Refund, RefundStatus } from "../state/schema";
import { beijingIso, beijingPlain } from "../../lib/beijing-time";

/** The refund object of APIv3 apply, query and apply-abnormal-refund answers. */
export function v3RefundObject(refund: Refund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: refund.channel,
    user_received_account: refund.userReceivedAccount,
    ...(refund.successTime === undefined ? {} : { success_time: beijingIso(refund.successTime) }),
    create_time: beijingIso(refund.createTime),
    status: refund.status,
    funds_account: refund.fundsAccount,
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      from: [],
      // No coupons in the simulator: the payer paid and gets back everything.
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
      settlement_refund: refund.refundFen,
      settlement_total: refund.totalFen,
      discount_refund: 0,
      currency: "CNY",
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** The decrypted `resource` of a REFUND.* notification announcing `status`. */
export function v3NotificationResource(
  refund: Refund,
  status: FinalStatus,
  announcedAt: number,
): Record<string, unknown> {
  return {
    mchid: refund.mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: status,
    ...(status === "SUCCESS" ? { success_time: beijingIso(refund.successTime ?? announcedAt) } : {}),
    user_received_account: refund.userReceivedAccount,
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
    },
  };
}

export const V3_EVENT: Record<FinalStatus, { eventType: string; summary: string }> = {
  SUCCESS: { eventType: "REFUND.SUCCESS", summary: "退款成功" },
  CLOSED: { eventType: "REFUND.CLOSED", summary: "退款关闭" },
  ABNORMAL: { eventType: "REFUND.ABNORMAL", summary: "退款异常" },
};

const V2_STATUS: Record<RefundStatus, "SUCCESS" | "REFUNDCLOSE" | "CHANGE" | "PROCESSING"> = {
  SUCCESS: "SUCCESS",
  CLOSED: "REFUNDCLOSE",
  ABNORMAL: "CHANGE",
  PROCESSING: "PROCESSING",
};

/** APIv2 names the funds source differently: RECHARGE is the available balance, UNSETTLED the pending funds. */
function v2RefundAccount(fundsAccount: string): string {
  return fundsAccount === "AVAILABLE" ? "REFUND_SOURCE_RECHARGE_FUNDS" : "REFUND_SOURCE_UNSETTLED_FUNDS";
}

export function fundsAccountFromV2(refundAccount: string | undefined): string {
  return refundAccount === "REFUND_SOURCE_RECHARGE_FUNDS" ? "AVAILABLE" : "UNSETTLED";
}

/** `req_info` content of an APIv2 refund notification announcing `status`. */
export function v2ReqInfo(refund: Refund, status: FinalStatus, announcedAt: number): RefundReqInfo {
  const v2Status = V2_STATUS[status] as RefundReqInfo["refund_status"];
  return {
    out_refund_no: refund.outRefundNo,
    out_trade_no: refund.outTradeNo,
    refund_id: refund.refundId,
    transaction_id: refund.transactionId,
    total_fee: refund.totalFen,
    refund_fee: refund.refundFen,
    settlement_refund_fee: refund.refundFen,
    refund_status: v2Status,
    ...(status === "SUCCESS" ? { success_time: beijingPlain(refund.successTime ?? announcedAt) } : {}),
    refund_recv_accout: refund.userReceivedAccount,
    refund_account: v2RefundAccount(refund.fundsAccount),
    refund_request_source: "API",
  };
}

/** The `…_$n` fields of one refund in an APIv2 refund query answer. */
export function v2QueryEntry(refund: Refund, n: number): Record<string, string> {
  return {
    [`out_refund_no_${n}`]: refund.outRefundNo,
    [`refund_id_${n}`]: refund.refundId,
    [`refund_channel_${n}`]: refund.channel,
    [`refund_fee_${n}`]: String(refund.refundFen),
    [`settlement_refund_fee_${n}`]: String(refund.refundFen),
    [`refund_status_${n}`]: V2_STATUS[refund.status],
    [`refund_account_${n}`]: v2RefundAccount(refund.fundsAccount),
    [`refund_recv_accout_${n}`]: refund.userReceivedAccount,
    ...(refund.successTime === undefined ? {} : { [`refund_success_time_${n}`]: beijingPlain(refund.successTime) }),
  };
}

/** Whose platform key signs, and which serial answers carry (`Wechatpay-Serial`). */
export function signerOf(merchant: Merchant): { privateKeyPem: string; serial: string } {
  const { platform } = merchant;
  const serial = merchant.signingMode === "public_key" ? platform.publicKeyId : platform.certificateSerial;
  return { privateKeyPem: platform.privateKeyPem, serial };
}
