import { and, eq, ne, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client";
import { placeholders, statement } from "../db/statement";
import { refunds, type Order, type Refund } from "../db/schema";
import type { Result } from "../result";
import type { WechatPayError } from "../wechatpay/errors";
import type { GatewayRefund, RefundGateway } from "./gateway";
import { appendRefundEvent, lockRefund, lockRefundAndOrder } from "./move";
import { claimSubmission, type SubmittedOrder, type SubmittedRefund } from "./claim-submission";
import { nextSubmissionAt } from "./policy";
import { moveRefundUnlessChanged } from "./move-unless-changed";
import { errorPayload, recordError, retryDelayMs } from "./submit-errors";
import { applyGatewayReport, reportMove, reportOutcome } from "./report";
import { orderIntervalMs } from "./settings";

export type GatewayResolver = (merchantId: string) => Promise<Result<RefundGateway, WechatPayError>>;

export type SubmitOutcome =
  { kind: "settled"; status: Refund["status"] } | { kind: "retry"; afterMs: number; reason: string };

export interface SubmitOptions {
  notifyUrl?: string;
  now?: () => Date;
  /** WeChat's interval between refunds of one order; REFUND_ORDER_INTERVAL_SECONDS when not given. */
  orderIntervalMs?: number;
  /** The refund's merchant when the caller knows it (its job carries it): the refund is then only its merchant's. */
  merchantId?: string;
}

/** Longer than the gateway's request timeout, so a lease only lapses when its worker is gone. */
const SUBMISSION_LEASE_MS = 30_000;

/**
 * Send a PENDING refund to WeChat Pay with its stored out_refund_no and content. The attempt is marked and committed
 * before the network call (one statement, `claimSubmission`, or the transaction that decides any other case); the
 * answer is applied afterwards under the order's and the refund's locks.
 * When an earlier attempt's outcome is unknown, WeChat is asked first and the refund resent only if WeChat does
 * not know it. The console never marks failed what WeChat may have accepted.
 *
 * Whether the merchant is still active is deliberately not asked: disabling a merchant stops new refunds
 * (`checkMerchantActive`), not those already recorded. A PENDING refund was accepted while the merchant took refunds,
 * approved when it needed to be, its amount reserved on the order and its requester told it is on its way. Held back,
 * it would stay PENDING with that amount reserved and nothing to end it (the sweep re-queues PENDING refunds), and
 * after an attempt whose outcome is unknown WeChat may already be paying it: only sending (or asking) settles it.
 */
export async function submitRefund(
  db: Database,
  resolveGateway: GatewayResolver,
  refundId: number,
  options: SubmitOptions = {},
): Promise<SubmitOutcome> {
  const now = options.now ?? (() => new Date());
  // The merchant's gateway first (kept per process), so that checking the refund and marking the attempt go together:
  // nothing is marked for a gateway that cannot be built.
  const merchantId = options.merchantId ?? (await merchantOfRefund(db, { id: refundId }))[0]?.merchantId;
  if (!merchantId) return { kind: "settled", status: "FAILED" };
  const gateway = await resolveGateway(merchantId);
  const key = { id: refundId, merchantId };
  // The usual submission marks its attempt in one statement; any other finds out why in the transaction.
  const claimed = gateway.ok ? await claimSubmission(db, key, now(), SUBMISSION_LEASE_MS) : null;
  const prepared = claimed
    ? ({ kind: "ready", ...claimed } as const)
    : await prepareInTransaction(db, key, gateway.ok, options, now);
  if (prepared.kind !== "ready") return prepared;
  const { refund, order } = prepared;
  if (!gateway.ok) return recordError(db, refundId, gateway.error, now(), { answered: false });

  let attempt = prepared.attempt;
  if (attempt === null) {
    const known = await gateway.value.query(refund.outRefundNo);
    if (known.ok) return applyReport(db, refundId, known.value, "reconciler", now());
    if (known.error.code !== "RESOURCE_NOT_EXISTS") {
      await db.transaction((tx) =>
        appendRefundEvent(tx, refund.id, {
          type: "query_failed",
          source: "reconciler",
          payload: errorPayload(known.error),
        }),
      );
      return { kind: "retry", afterMs: retryDelayMs(refund.attemptCount, known.error.code), reason: known.error.code };
    }
    // WeChat does not know the number: the lost request never arrived, so sending it again is safe.
    attempt = await db.transaction(async (tx) => {
      const locked = await lockRefund(tx, { id: refundId });
      return locked?.status === "PENDING" ? startAttempt(tx, locked, now()) : null;
    });
    if (attempt === null) return inProgressElsewhere;
  }

  const answer = await gateway.value.apply({
    outRefundNo: refund.outRefundNo,
    transactionId: order.transactionId,
    outTradeNo: order.outTradeNo,
    amountFen: refund.amountFen,
    totalFen: order.totalFen,
    reason: refund.reason,
    notifyUrl: options.notifyUrl,
    fundsAccount: refund.fundsAccount === "AVAILABLE" ? "AVAILABLE" : undefined,
  });
  if (answer.ok) return applyAnswer(db, refund, answer.value, now());
  return recordError(db, refundId, answer.error, now(), { answered: true, number: attempt });
}

/** A submission checked and, when it can be sent now, its attempt marked; `attempt` null when not marked. */
type Prepared =
  SubmitOutcome | { kind: "ready"; refund: SubmittedRefund; order: SubmittedOrder; attempt: number | null };

/**
 * The submission `claimSubmission` did not mark, under the order's and the refund's locks: settled already, not due
 * yet, to be spaced after the order's other refunds, another worker's, or ready — and marked when it can be sent
 * (`send`: the gateway was built) and no earlier attempt's outcome is unknown (WeChat is asked about that one first).
 */
function prepareInTransaction(
  db: Database,
  key: { id: number; merchantId: string },
  send: boolean,
  options: SubmitOptions,
  now: () => Date,
): Promise<Prepared> {
  return db.transaction(async (tx) => {
    const locked = await lockRefundAndOrder(tx, key);
    const refund = locked?.refund;
    if (!refund || refund.status !== "PENDING") return { kind: "settled" as const, status: refund?.status ?? "FAILED" };
    const due = refund.scheduledAt?.getTime() ?? 0;
    if (due > now().getTime()) return { kind: "retry" as const, afterMs: due - now().getTime(), reason: "scheduled" };
    const spacing = await spacingAfterOtherRefunds(tx, locked.order, refund, options, now());
    if (spacing > 0) return { kind: "retry" as const, afterMs: spacing, reason: "order_interval" };
    // Not marked: an error to record, or an earlier attempt to ask WeChat about before sending again.
    if (!send || refund.outcomeUnknown) return { kind: "ready" as const, refund, order: locked.order, attempt: null };
    const attempt = await startAttempt(tx, refund, now());
    if (attempt === null) return inProgressElsewhere;
    return { kind: "ready" as const, refund, order: locked.order, attempt };
  });
}

const inProgressElsewhere: SubmitOutcome = {
  kind: "retry",
  afterMs: SUBMISSION_LEASE_MS,
  reason: "in_progress_elsewhere",
};

/**
 * Marks an attempt under the refund's lock, before the call: if this process dies while WeChat has the request, the
 * refund already says the outcome is unknown, and whoever picks it up next asks WeChat before sending again. Null
 * when another worker's attempt holds the lease. `claimSubmission` is the same mark in one statement, for the usual case.
 */
async function startAttempt(tx: Transaction, refund: Refund, at: Date): Promise<number | null> {
  if (refund.submittingUntil && refund.submittingUntil > at) return null;
  const attemptCount = refund.attemptCount + 1;
  await Promise.all([
    markAttempt(tx, {
      id: refund.id,
      attemptCount,
      submittedAt: at,
      submittingUntil: new Date(at.getTime() + SUBMISSION_LEASE_MS),
      updatedAt: at,
    }),
    appendRefundEvent(tx, refund.id, { type: "submitted", source: "system", at, payload: { attempt: attemptCount } }),
  ]);
  return attemptCount;
}

// Built once per process (lib/db/statement.ts): every submission runs them.
const merchantOfRefund = statement((db) =>
  db
    .select({ merchantId: refunds.merchantId })
    .from(refunds)
    .where(eq(refunds.id, sql.placeholder("id"))),
);

/**
 * How long this refund must still wait after the order's other refunds (WeChat: a minute between refunds of one
 * order). Times set when refunds were recorded can fall due together — the sweep after an outage, seeded data — so
 * the rule is checked again here, under the order's lock, rather than by WeChat. An order's only refund waits for
 * nothing, without a statement (a bulk run's usual case).
 */
async function spacingAfterOtherRefunds(
  tx: Transaction,
  order: Order,
  refund: Refund,
  options: SubmitOptions,
  now: Date,
): Promise<number> {
  if (order.refundCount <= 1) return 0;
  const [other] = await lastOtherSubmission(tx, { orderId: order.id, id: refund.id });
  const previous = other?.last ? new Date(other.last) : null;
  return nextSubmissionAt(previous, options.orderIntervalMs ?? orderIntervalMs(), now).getTime() - now.getTime();
}

/** When another refund of the order last went to WeChat. */
const lastOtherSubmission = statement((db) =>
  db
    .select({ last: sql<Date | string | null>`max(${refunds.submittedAt})` })
    .from(refunds)
    .where(and(eq(refunds.orderId, sql.placeholder("orderId")), ne(refunds.id, sql.placeholder("id")))),
);

/** An attempt about to be sent: its outcome is unknown until WeChat answers, and this worker holds the lease. */
const markAttempt = statement((db) =>
  db
    .update(refunds)
    .set({ ...placeholders("attemptCount", "submittedAt", "submittingUntil", "updatedAt"), outcomeUnknown: true })
    .where(eq(refunds.id, sql.placeholder("id"))),
);

/**
 * WeChat's answer to this attempt. Usually the refund is still PENDING as this attempt found it, and the answer moves
 * it in one statement outside any transaction (`moveRefundUnlessChanged`: the order's lock, then the refund's, the
 * move only if it is still PENDING, with the order's sums and the event), instead of a transaction of four round
 * trips — a bulk run applies 150 answers a second. Otherwise (a callback or another attempt came first, or a webhook
 * endpoint wants the event and its outbox entry) the answer is applied under the refund's lock like any report.
 */
async function applyAnswer(
  db: Database,
  refund: SubmittedRefund,
  report: GatewayRefund,
  at: Date,
): Promise<SubmitOutcome> {
  if (reportOutcome(refund, report) === "applied") {
    const move = reportMove(refund, report, "gateway", {}, at);
    const { movedId } = await moveRefundUnlessChanged(db, refund, move.to, move.event, move.fields);
    if (movedId !== null) return { kind: "settled", status: report.status };
  }
  return applyReport(db, refund.id, report, "gateway", at);
}

async function applyReport(
  db: Database,
  refundId: number,
  report: GatewayRefund,
  source: "gateway" | "reconciler",
  at: Date,
): Promise<SubmitOutcome> {
  return db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { id: refundId });
    if (!refund) return { kind: "settled" as const, status: "FAILED" as const };
    const outcome = await applyGatewayReport(tx, refund, report, source, {}, at);
    // Applied, the refund now has the reported status; a stale report changed nothing.
    return { kind: "settled" as const, status: outcome === "applied" ? report.status : refund.status };
  });
}
