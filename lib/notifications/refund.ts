import { and, eq, sql } from "drizzle-orm";
import { transactionSettingsOf, type Database, type Db } from "../db/client";
import { refunds, type Refund } from "../db/schema";
import { log } from "../log";
import type { GatewayRefund, RefundGateway } from "../refunds/gateway";
import { lockRefund } from "../refunds/move";
import { moveRefundUnlessChanged } from "../refunds/move-unless-changed";
import { statement } from "../db/statement";
import { applyGatewayReport, reportMove, reportOutcome } from "../refunds/report";
import { err, ok, type Result } from "../result";
import { rateLimited } from "../wechatpay/rate-limited-gateway";
import type { V2RefundNotification } from "../wechatpay/v2/notification";
import type { Notification } from "../wechatpay/v3/notification";
import type { RefundResource } from "../wechatpay/v3/schemas";
import { answerFor, type Settled } from "./answer";
import { alreadyApplied, isAppliedOnceViolation, settleNotification, type NotificationRow } from "./record";

/** A refund callback of either protocol, once opened: what it says about which refund of which merchant. */
export interface RefundNotice {
  merchantId: string;
  outRefundNo: string;
  amountFen: number;
  report: GatewayRefund;
  /** WeChat's notification id (APIv3); APIv2 has none. */
  notificationId: string | null;
  eventType: string;
  /**
   * APIv2 callbacks are unsigned and AES-ECB has no integrity (blocks of older callbacks can be spliced), so their
   * report is confirmed by the merchant's signed refund query before anything is applied; so is any CLOSED.
   */
  confirm: boolean;
}

/** WeChat must answer within 5 s; a query that takes longer is abandoned and WeChat re-sends later. */
const QUERY_BUDGET_MS = 3_000;

export function v3RefundNotice(
  merchantId: string,
  notification: Pick<Notification<RefundResource>, "id" | "eventType" | "resource">,
): RefundNotice {
  const r = notification.resource;
  return {
    merchantId,
    outRefundNo: r.out_refund_no,
    amountFen: r.amount.refund,
    report: {
      refundId: r.refund_id,
      status: r.refund_status,
      userReceivedAccount: r.user_received_account,
      successTime: r.success_time,
    },
    notificationId: notification.id,
    eventType: notification.eventType,
    // A CLOSED releases the amount for new refunds: believe it only once WeChat's own query says so, as a
    // contradicting SUCCESS may be on its way (the chaos run saw CLOSED-then-SUCCESS leave the console's sums wrong).
    confirm: r.refund_status === "CLOSED",
  };
}

export function v2RefundNotice(merchantId: string, notification: V2RefundNotification): RefundNotice {
  const r = notification.refund;
  return {
    merchantId,
    outRefundNo: r.out_refund_no,
    amountFen: r.refund_fee,
    report: { refundId: r.refund_id, status: notification.status, userReceivedAccount: r.refund_recv_accout },
    notificationId: null,
    // APIv2 has no event type; the APIv3 name of the same event lets the log filter both protocols alike.
    eventType: `REFUND.${notification.status}`,
    confirm: true,
  };
}

/**
 * The refund a notice is about (found by `readNoticeRefund` or `lockRefund`, both within the notice's merchant: a
 * refund number is unique per merchant, as at WeChat), or why it cannot apply: unknown to this merchant, or another
 * amount.
 */
export function matchRefund(refund: Refund | undefined, notice: RefundNotice): Result<Refund, Settled> {
  if (!refund) return err({ outcome: "unmatched" });
  if (refund.amountFen !== notice.amountFen) {
    const reason = `notification says ${notice.amountFen} fen, refund ${notice.outRefundNo} is ${refund.amountFen} fen`;
    return err({ outcome: "rejected", refundId: refund.id, code: "AMOUNT_MISMATCH", reason });
  }
  return ok(refund);
}

/**
 * The report to apply for an APIv2 notice: what the signed query says, which wins when it disagrees with the
 * notification. A failed query is an `error`, so WeChat re-sends and the query is tried again.
 */
export async function confirmByQuery(
  db: Database,
  notice: RefundNotice,
  gateway: RefundGateway,
  found: Refund | undefined,
): Promise<Result<GatewayRefund, Settled>> {
  const refund = matchRefund(found, notice);
  if (!refund.ok) return refund;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), QUERY_BUDGET_MS);
  });
  // The query counts against the merchant's request limits like any other call to WeChat.
  const query = rateLimited(db, notice.merchantId, gateway).query(notice.outRefundNo);
  const answer = await Promise.race([query, timeout]).finally(() => clearTimeout(timer));
  if (answer === "timeout" || !answer.ok) {
    const reason =
      answer === "timeout" ? `no answer within ${QUERY_BUDGET_MS} ms` : `${answer.error.code}: ${answer.error.detail}`;
    return err({
      outcome: "error",
      refundId: refund.value.id,
      code: "QUERY_FAILED",
      reason: `confirming query failed: ${reason}`,
    });
  }
  if (answer.value.status !== notice.report.status) {
    log.warn(
      { outRefundNo: notice.outRefundNo, notified: notice.report.status, queried: answer.value.status },
      "APIv2 notification disagrees with the refund query; applying the query",
    );
  }
  return ok(answer.value);
}

/**
 * Applies a notice exactly once, in one transaction: lock the refund (order first), skip a notification id that was
 * already applied, apply the report through the path shared with submission and reconciliation, and record the
 * outcome on the notification row. `audit` runs in the same transaction (an admin's re-apply).
 *
 * Two round trips between BEGIN and COMMIT: the locks with the exactly-once check (run after the locks, in the order
 * sent), then every write. The outcome is known before writing, so the notification row is settled alongside.
 */
export async function applyRefundNotice(
  db: Database,
  row: NotificationRow,
  notice: RefundNotice,
  report: GatewayRefund,
  audit?: (db: Db, settled: Settled) => Promise<void>,
): Promise<Settled> {
  try {
    return await db.transaction(async (tx) => {
      const [locked, applied] = await Promise.all([
        lockRefund(tx, { outRefundNo: notice.outRefundNo, merchantId: notice.merchantId }),
        notice.notificationId ? alreadyApplied(tx, notice.notificationId) : false,
      ]);
      const refund = matchRefund(locked, notice);
      const apply = refund.ok && !applied;
      const settled: Settled = !refund.ok
        ? refund.error
        : { outcome: applied ? "duplicate" : reportOutcome(refund.value, report), refundId: refund.value.id };
      await Promise.all([
        apply ? applyGatewayReport(tx, refund.value, report, "notify", eventPayload(notice)) : undefined,
        settleNotification(tx, row, settled),
        audit?.(tx, settled),
      ]);
      return settled;
    });
  } catch (error) {
    if (!isAppliedOnceViolation(error)) throw error;
    // A concurrent delivery of the same notification committed first; this one changed nothing.
    const settled: Settled = { outcome: "duplicate" };
    await settleNotification(db, row, settled);
    await audit?.(db, settled);
    return settled;
  }
}

/** What an attempt at the one-statement move came to: settled, or not moved (and whether an endpoint wants it). */
type Attempt = { settled: Settled } | { settled?: undefined; eventWanted: boolean };

/** The refund fields a move falls back on, and the status and amount it expects to find. */
type Expected = Pick<Refund, "status" | "amountFen" | "refundId" | "channel" | "userReceivedAccount" | "fundsAccount">;

/**
 * What almost every live callback finds, before anything is read: a refund WeChat accepted (PROCESSING) of the
 * notice's amount. The move keeps the refund's own WeChat fields where the report has none.
 */
function acceptedAsNotified(notice: RefundNotice): Expected {
  const none = { refundId: null, channel: null, userReceivedAccount: null, fundsAccount: null };
  return { status: "PROCESSING", amountFen: notice.amountFen, ...none };
}

/**
 * The common case of a live callback, without a transaction: when the report moves the refund forward from what is
 * expected — as read, or as accepted (`acceptedAsNotified`) — move it in one statement that also settles the delivery
 * row, provided it is still so (`moveRefundUnlessChanged`). Undefined when the report would not move it, or behind a
 * transaction-mode pooler: the callbacks' lock timeout is applied per transaction there, so a statement outside one
 * would wait for a lock without it, and every callback takes the locking path.
 */
async function applyUnlessChanged(
  db: Database,
  row: NotificationRow,
  notice: RefundNotice,
  report: GatewayRefund,
  expected: Expected,
): Promise<Attempt | undefined> {
  if (transactionSettingsOf(db) || reportOutcome(expected, report) !== "applied") return undefined;
  const move = reportMove(expected, report, "notify", eventPayload(notice), new Date());
  const answer = answerFor(row.protocol, { outcome: "applied" });
  const { merchantId, outRefundNo } = notice;
  try {
    const { movedId, eventWanted } = await moveRefundUnlessChanged(
      db,
      { merchantId, outRefundNo, amountFen: expected.amountFen, status: expected.status },
      move.to,
      move.event,
      move.fields,
      { notificationRowId: row.id, responseStatus: answer.status, responseBody: answer.body },
    );
    return movedId === null ? { eventWanted } : { settled: { outcome: "applied", refundId: movedId } };
  } catch (error) {
    // A concurrent delivery of the same notification was applied first; the statement changed nothing.
    if (!isAppliedOnceViolation(error)) throw error;
    const duplicate: Settled = { outcome: "duplicate" };
    await settleNotification(db, row, duplicate);
    return { settled: duplicate };
  }
}

/** The refund a notice names (within the notice's merchant), read without a lock. */
export async function readNoticeRefund(db: Database, notice: RefundNotice): Promise<Refund | undefined> {
  const [found] = await refundByNumber(db, { merchantId: notice.merchantId, outRefundNo: notice.outRefundNo });
  return found;
}

// Built once (lib/db/statement.ts): every live callback reads its refund so.
const refundByNumber = statement((db) =>
  db
    .select()
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, sql.placeholder("merchantId")),
        eq(refunds.outRefundNo, sql.placeholder("outRefundNo")),
      ),
    ),
);

/** What the refund's timeline records of the notification that moved it. */
function eventPayload(notice: RefundNotice): Record<string, unknown> {
  const payload: Record<string, unknown> = { notificationId: notice.notificationId, eventType: notice.eventType };
  if (notice.confirm) Object.assign(payload, { notified: notice.report.status, confirmedByQuery: true });
  return payload;
}

/** Whether WeChat already gave this refund its final word; no report can change it, so none needs confirming. */
function settledAtWechat(refund: Refund | undefined): boolean {
  return refund?.status === "SUCCESS" || refund?.status === "CLOSED";
}

/**
 * A live refund callback. One that needs no confirming is first tried as what almost every one is: the end of a
 * refund WeChat accepted, moved in one statement before anything is read. Otherwise (or when that refund is not as
 * expected): read the refund, confirm (APIv2, CLOSED), then apply — in one statement when the refund is as read,
 * else under its locks (`applyRefundNotice`), as also when a webhook endpoint wants the event. The row always ends
 * with the outcome.
 */
export async function handleRefundNotice(
  db: Database,
  row: NotificationRow,
  notice: RefundNotice,
  gateway: RefundGateway,
): Promise<Settled> {
  const accepted = notice.confirm
    ? undefined
    : await applyUnlessChanged(db, row, notice, notice.report, acceptedAsNotified(notice));
  if (accepted?.settled) return accepted.settled;
  if (accepted?.eventWanted) return applyRefundNotice(db, row, notice, notice.report);
  const found = await readNoticeRefund(db, notice);
  let report = notice.report;
  if (notice.confirm && !settledAtWechat(found)) {
    const confirmed = await confirmByQuery(db, notice, gateway, found);
    if (!confirmed.ok) {
      await settleNotification(db, row, confirmed.error);
      return confirmed.error;
    }
    report = confirmed.value;
  }
  const refund = matchRefund(found, notice);
  const asRead = refund.ok ? await applyUnlessChanged(db, row, notice, report, refund.value) : undefined;
  return asRead?.settled ?? applyRefundNotice(db, row, notice, report);
}
