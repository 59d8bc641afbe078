import type { RefundEventRow } from "../db/queries/refunds";
import type { Order, Refund, RefundOrigin, RefundStatus } from "../db/schema";
import { beijingIso } from "../beijing-time";
import { remainingFen } from "../refunds/policy";

/** ISO-8601 in Beijing time with its offset (`2026-11-23T18:00:00.000+08:00`), the way WeChat Pay writes times. */
export function isoBeijing(date: Date): string;
export function isoBeijing(date: Date | null): string | null;
export function isoBeijing(date: Date | null): string | null {
  if (!date) return null;
  return beijingIso(date, { milliseconds: true });
}

export interface RefundJson {
  out_refund_no: string;
  refund_id: string | null;
  out_trade_no: string;
  amount: number;
  status: RefundStatus;
  /** `external`: made outside the console (WeChat Pay's merchant platform) and found at WeChat. */
  origin: RefundOrigin;
  reason: string;
  funds_account: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface RefundEventJson {
  at: string;
  type: string;
  source: string;
  status_from: RefundStatus | null;
  status_to: RefundStatus | null;
}

export interface OrderJson {
  out_trade_no: string;
  transaction_id: string;
  description: string;
  currency: string;
  total: number;
  refunded: number;
  in_flight: number;
  remaining: number;
  refund_count: number;
  paid_at: string;
}

export function orderJson(order: Order): OrderJson {
  return {
    out_trade_no: order.outTradeNo,
    transaction_id: order.transactionId,
    description: order.description,
    currency: order.currency,
    total: order.totalFen,
    refunded: order.refundedFen,
    in_flight: order.inFlightFen,
    remaining: remainingFen(order),
    refund_count: order.refundCount,
    paid_at: isoBeijing(order.paidAt),
  };
}

export function refundJson(refund: Refund, outTradeNo: string): RefundJson {
  return {
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    out_trade_no: outTradeNo,
    amount: refund.amountFen,
    status: refund.status,
    origin: refund.origin,
    reason: refund.reason,
    funds_account: refund.fundsAccount,
    created_at: isoBeijing(refund.createdAt),
    finished_at: isoBeijing(refund.finishedAt),
  };
}

/** The timeline without payloads: those hold operator names and gateway details that are not the merchant's business. */
export function eventJson(event: RefundEventRow): RefundEventJson {
  return {
    at: isoBeijing(event.at),
    type: event.type,
    source: event.source,
    status_from: event.statusFrom,
    status_to: event.statusTo,
  };
}
