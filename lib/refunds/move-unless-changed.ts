import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { sqlStatement } from "../db/statement";
import type { Refund, RefundStatus } from "../db/schema";
import { refundEventType } from "../webhooks/events";
import { refundEventWanted } from "../webhooks/outbox";
import { RefundTransitionError, type RefundEventInput, type RefundFields } from "./move";
import { canTransition, sumsDelta } from "./transitions";

/**
 * What a report from WeChat writes besides the status (lib/refunds/report.ts). In `moveRefundUnlessChanged` a null
 * refund id, channel, account or funds account keeps the refund's own: a report need not repeat what WeChat said
 * before.
 */
export type GatewayFields = Required<
  Pick<
    RefundFields,
    | "refundId"
    | "channel"
    | "userReceivedAccount"
    | "fundsAccount"
    | "outcomeUnknown"
    | "submittingUntil"
    | "finishedAt"
  >
>;

/** The refund a one-statement move is for, as the caller expects to find it: its number and amount, and its status. */
export type ExpectedRefund = Pick<Refund, "merchantId" | "outRefundNo" | "amountFen" | "status">;

/** A delivery row settled in the same statement as the move it made (lib/notifications/refund.ts). */
export interface SettledAlongside {
  notificationRowId: number;
  responseStatus: number;
  responseBody: string;
}

export interface UnlessChangedOutcome {
  /** The moved refund's id; null when it was not as expected, or when an endpoint wants the event. */
  movedId: number | null;
  /** A webhook endpoint of the merchant wants the move's event: its outbox entry needs `moveRefund`'s transaction. */
  eventWanted: boolean;
}

/**
 * `moveRefund` in one statement, without a lock held beforehand: the move happens only if the refund (found by its
 * number within the merchant) still has the expected status and amount, and its delivery row, if any, is settled
 * with it (a callback's `applied`). The expectation is what the caller read, for a live callback what WeChat's report
 * implies before anything is read (PROCESSING), for a submission's answer the PENDING refund its attempt marked.
 * The statement locks the order, then the refund (the order every writer uses), checks, and writes the refund, the
 * order's sums, the event and the delivery row together, or nothing. When it did not move (not as expected, or a
 * webhook endpoint wants the event, whose outbox entry needs `moveRefund`) the caller takes the locking path. WeChat's
 * storms of callbacks, and a bulk run's answers, then cost one statement each on a shared connection instead of a
 * transaction of four round trips (docs/benchmarks.md). The database's transition trigger, the order's CHECKs and
 * the delivery's applied-once index hold here as everywhere.
 */
export async function moveRefundUnlessChanged(
  db: Db,
  expected: ExpectedRefund,
  to: RefundStatus,
  event: RefundEventInput & { at: Date },
  fields: GatewayFields,
  settled?: SettledAlongside,
): Promise<UnlessChangedOutcome> {
  const { merchantId, outRefundNo, amountFen, status: from } = expected;
  if (!canTransition(from, to)) throw new RefundTransitionError(outRefundNo, from, to);
  const delta = sumsDelta(amountFen, from, to);
  const [row] = await moveUnlessChanged(db, {
    merchantId,
    outRefundNo,
    amountFen,
    from,
    to,
    ...fields,
    submittingUntil: fields.submittingUntil?.toISOString() ?? null,
    finishedAt: fields.finishedAt?.toISOString() ?? null,
    at: event.at.toISOString(),
    ...delta,
    eventType: event.type,
    source: event.source,
    actorId: event.actorId ?? null,
    payload: JSON.stringify(event.payload ?? {}),
    webhookType: refundEventType(from, to),
    // No delivery row (WeChat's answer to a submission): the statement settles none.
    notificationRowId: settled?.notificationRowId ?? null,
    responseStatus: settled?.responseStatus ?? null,
    responseBody: settled?.responseBody ?? null,
  });
  const moved = row?.moved ?? null;
  return { movedId: moved === null ? null : Number(moved), eventWanted: row?.wanted === true };
}

const moveUnlessChanged = sqlStatement<Record<string, unknown>, { moved: string | number | null; wanted: boolean }>(
  () => {
    const p = (name: string) => sql.placeholder(name);
    const refundNamed = sql`merchant_id = ${p("merchantId")}::uuid and out_refund_no = ${p("outRefundNo")}::text`;
    return sql`
    with locked_order as (
      select id from orders where id = (select order_id from refunds where ${refundNamed}) for update
    ), moved as (
      update refunds
      set status = ${p("to")}::refund_status, refund_id = coalesce(${p("refundId")}::text, refund_id),
        channel = coalesce(${p("channel")}::text, channel),
        user_received_account = coalesce(${p("userReceivedAccount")}::text, user_received_account),
        funds_account = coalesce(${p("fundsAccount")}::text, funds_account),
        outcome_unknown = ${p("outcomeUnknown")}::boolean, submitting_until = ${p("submittingUntil")}::timestamptz,
        finished_at = ${p("finishedAt")}::timestamptz, updated_at = ${p("at")}::timestamptz
      where ${refundNamed} and status = ${p("from")}::refund_status and amount_fen = ${p("amountFen")}::bigint
        -- The order's lock first: evaluated once, before the refund's row is locked.
        and exists (select 1 from locked_order)
        and not ${refundEventWanted(p("webhookType"), sql.raw("refunds.id"))}
      returning id, order_id
    ), sums as (
      update orders
      set refunded_fen = refunded_fen + ${p("refundedFen")}::bigint,
        in_flight_fen = in_flight_fen + ${p("inFlightFen")}::bigint,
        refund_count = refund_count + ${p("refundCount")}::integer
      where id = (select order_id from moved)
        and (${p("refundedFen")}::bigint <> 0 or ${p("inFlightFen")}::bigint <> 0 or ${p("refundCount")}::integer <> 0)
    ), event as (
      insert into refund_events (refund_id, at, type, source, actor_id, status_from, status_to, payload)
      select id, ${p("at")}::timestamptz, ${p("eventType")}::text, ${p("source")}::event_source, ${p("actorId")}::uuid,
        ${p("from")}::refund_status, ${p("to")}::refund_status, ${p("payload")}::jsonb
      from moved
    ), settled as (
      update notifications
      set outcome = 'applied', refund_id = (select id from moved), response_status = ${p("responseStatus")}::integer,
        response_body = ${p("responseBody")}::text
      where id = ${p("notificationRowId")} and exists (select 1 from moved)
    )
    select (select id from moved) as moved,
      ${refundEventWanted(p("webhookType"), sql`(select id from refunds where ${refundNamed})`)} as wanted`;
  },
);
