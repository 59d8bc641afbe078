import type { Transaction } from "../db/client";
import type { EventSource, Refund } from "../db/schema";
import type { GatewayRefund } from "./gateway";
import { appendRefundEvent, moveRefund, type RefundEventInput } from "./move";
import type { GatewayFields } from "./move-unless-changed";
import { isForwardReport } from "./transitions";

export type ReportOutcome = "applied" | "stale";

/** What `applyGatewayReport` will do with a report, known before it writes: move forward, or record it as stale. */
export function reportOutcome(refund: Pick<Refund, "status">, report: Pick<GatewayRefund, "status">): ReportOutcome {
  return isForwardReport(refund.status, report.status) ? "applied" : "stale";
}

/** What a forward report writes: the status it moves to, the timeline event, and WeChat's fields. */
export interface ReportMove {
  to: GatewayRefund["status"];
  event: RefundEventInput & { at: Date };
  fields: GatewayFields;
}

function reportDetails(report: GatewayRefund, payload: Record<string, unknown>): Record<string, unknown> {
  return {
    refundId: report.refundId,
    channel: report.channel,
    userReceivedAccount: report.userReceivedAccount,
    successTime: report.successTime,
    ...payload,
  };
}

/** The move a forward report makes (`reportOutcome` is `applied`); one place for both ways of writing it. */
export function reportMove(
  refund: Pick<Refund, "refundId" | "channel" | "userReceivedAccount" | "fundsAccount">,
  report: GatewayRefund,
  source: EventSource,
  payload: Record<string, unknown>,
  now: Date,
): ReportMove {
  const final = report.status === "SUCCESS" || report.status === "CLOSED";
  return {
    to: report.status,
    event: { type: eventType(report.status), source, at: now, payload: reportDetails(report, payload) },
    fields: {
      refundId: report.refundId || refund.refundId,
      channel: report.channel ?? refund.channel,
      userReceivedAccount: report.userReceivedAccount ?? refund.userReceivedAccount,
      fundsAccount: report.fundsAccount ?? refund.fundsAccount,
      outcomeUnknown: false,
      submittingUntil: null,
      finishedAt: final ? (report.successTime ? new Date(report.successTime) : now) : null,
    },
  };
}

/**
 * Apply what WeChat reported about a refund (an apply answer, a query, a callback) inside the caller's transaction,
 * which holds the refund's row lock. A report that would move the status backwards or sideways is recorded on the
 * timeline as stale and changes nothing else; the same report twice is therefore harmless.
 */
export async function applyGatewayReport(
  tx: Transaction,
  refund: Refund,
  report: GatewayRefund,
  source: EventSource,
  payload: Record<string, unknown> = {},
  now = new Date(),
): Promise<ReportOutcome> {
  if (reportOutcome(refund, report) === "stale") {
    if (refund.status !== report.status) {
      await appendRefundEvent(tx, refund.id, {
        type: "stale_report",
        source,
        at: now,
        payload: { reported: report.status, ...reportDetails(report, payload) },
      });
    }
    return "stale";
  }
  const move = reportMove(refund, report, source, payload, now);
  await moveRefund(tx, refund, move.to, move.event, move.fields);
  return "applied";
}

function eventType(status: GatewayRefund["status"]): string {
  switch (status) {
    case "PROCESSING":
      return "accepted";
    case "SUCCESS":
      return "succeeded";
    case "CLOSED":
      return "closed";
    case "ABNORMAL":
      return "abnormal";
  }
}
