import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { sqlStatement } from "../db/statement";
import type { Order, Refund } from "../db/schema";

/** What a submission reads of its refund: what it sends, and what applying WeChat's answer needs. */
export type SubmittedRefund = Pick<
  Refund,
  | "id"
  | "merchantId"
  | "outRefundNo"
  | "amountFen"
  | "reason"
  | "status"
  | "fundsAccount"
  | "refundId"
  | "channel"
  | "userReceivedAccount"
  | "attemptCount"
  | "outcomeUnknown"
>;
/** What a submission sends of the refund's order. */
export type SubmittedOrder = Pick<Order, "transactionId" | "outTradeNo" | "totalFen">;

export interface ClaimedSubmission {
  /** The refund as the attempt found it (PENDING, its outcome known), before the mark. */
  refund: SubmittedRefund;
  order: SubmittedOrder;
  /** The attempt's number, now marked. */
  attempt: number;
}

/**
 * The usual submission's attempt marked in one statement (a bulk run marks 150 a second): the refund is the named
 * merchant's, PENDING and due, no earlier attempt's outcome is unknown, no other worker's lease holds it, and it is its
 * order's only refund, so no other refund's submission has to be waited for. Then, like `startAttempt` in
 * `submitRefund`'s transaction, it locks the order and then the refund (the order every writer uses), marks the
 * attempt with its lease and outcome unknown, and appends the `submitted` event — or does nothing, and returns null,
 * when any of that is not so: the caller then takes the transaction, which finds out why (not due yet, spacing, a
 * query first, another worker, another merchant). Four round trips (BEGIN, the locks, the mark with its event,
 * COMMIT) become one.
 */
export async function claimSubmission(
  db: Db,
  refund: { id: number; merchantId: string },
  at: Date,
  leaseMs: number,
): Promise<ClaimedSubmission | null> {
  const [row] = await claim(db, {
    id: refund.id,
    merchantId: refund.merchantId,
    at: at.toISOString(),
    until: new Date(at.getTime() + leaseMs).toISOString(),
  });
  if (!row) return null;
  const attempt = Number(row.attempt_count);
  return {
    refund: {
      id: Number(row.id),
      merchantId: row.merchant_id,
      outRefundNo: row.out_refund_no,
      amountFen: Number(row.amount_fen),
      reason: row.reason,
      status: "PENDING",
      fundsAccount: row.funds_account,
      refundId: row.refund_id,
      channel: row.channel,
      userReceivedAccount: row.user_received_account,
      attemptCount: attempt - 1,
      outcomeUnknown: false,
    },
    order: { transactionId: row.transaction_id, outTradeNo: row.out_trade_no, totalFen: Number(row.total_fen) },
    attempt,
  };
}

interface ClaimedRow {
  id: string | number;
  merchant_id: string;
  out_refund_no: string;
  amount_fen: string | number;
  reason: string;
  funds_account: string | null;
  refund_id: string | null;
  channel: string | null;
  user_received_account: string | null;
  attempt_count: string | number;
  transaction_id: string;
  out_trade_no: string;
  total_fen: string | number;
}

const claim = sqlStatement<{ id: number; merchantId: string; at: string; until: string }, ClaimedRow>(() => {
  const p = (name: string) => sql.placeholder(name);
  return sql`
    with locked_order as (
      select id, refund_count, transaction_id, out_trade_no, total_fen from orders
      where id = (select order_id from refunds where id = ${p("id")}) for update
    ), claimed as (
      update refunds
      set attempt_count = attempt_count + 1, submitted_at = ${p("at")}::timestamptz,
        submitting_until = ${p("until")}::timestamptz, updated_at = ${p("at")}::timestamptz, outcome_unknown = true
      where id = ${p("id")} and merchant_id = ${p("merchantId")}::uuid and status = 'PENDING' and not outcome_unknown
        and (scheduled_at is null or scheduled_at <= ${p("at")}::timestamptz)
        and (submitting_until is null or submitting_until <= ${p("at")}::timestamptz)
        -- The order's lock first: evaluated once, before the refund's row is locked.
        and exists (select 1 from locked_order where refund_count <= 1)
      returning id, merchant_id, out_refund_no, amount_fen, reason, funds_account, refund_id, channel,
        user_received_account, attempt_count
    ), event as (
      insert into refund_events (refund_id, at, type, source, payload)
      select id, ${p("at")}::timestamptz, 'submitted', 'system', jsonb_build_object('attempt', attempt_count)
      from claimed
    )
    select claimed.*, o.transaction_id, o.out_trade_no, o.total_fen from claimed, locked_order o`;
});
