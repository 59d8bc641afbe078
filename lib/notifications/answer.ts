import type { NotificationOutcome } from "../db/queries/notifications";
import { failAnswer, successAnswer } from "../wechatpay/v2/notification";
import type { CallbackProtocol } from "./intake";

/** What the handler did with a notification, and why when it did not take it. */
export interface Settled {
  outcome: NotificationOutcome;
  refundId?: number;
  /** For `rejected` and `error`: our code (`AMOUNT_MISMATCH`, `SIGNATURE_INVALID`…) and a reason without secrets. */
  code?: string;
  reason?: string;
}

/** The HTTP answer to WeChat. */
export interface CallbackAnswer {
  status: number;
  body: string;
  contentType?: string;
}

/** Outcomes WeChat must stop re-sending: the refund already shows what the notification says, or more. */
const TAKEN: readonly NotificationOutcome[] = ["applied", "duplicate", "stale"];

/** Refusals with their own HTTP status; any other rejection is 400 and any other error 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = { BODY_TOO_LARGE: 413, ORDER_CONFLICT: 409 };

/**
 * Success stops WeChat's retries: APIv3 wants 2xx (204, no body), APIv2 `return_code` SUCCESS. Anything else makes
 * WeChat send again later, which is what an unmatched refund, a failed query or an internal error need. Both
 * protocols use the same status codes so the log reads the same.
 */
export function answerFor(protocol: CallbackProtocol, settled: Settled): CallbackAnswer {
  if (TAKEN.includes(settled.outcome)) {
    return protocol === "v3"
      ? { status: 204, body: "" }
      : { status: 200, body: successAnswer(), contentType: "text/xml" };
  }
  const status =
    STATUS_BY_CODE[settled.code ?? ""] ??
    (settled.outcome === "unmatched" ? 404 : settled.outcome === "rejected" ? 400 : 500);
  // Internal errors say nothing about internals; refusals name their code, which WeChat's log then shows.
  const message =
    settled.outcome === "unmatched"
      ? "refund not found"
      : status >= 500
        ? "internal error, please retry"
        : (settled.code ?? "rejected");
  if (protocol === "v2") return { status, body: failAnswer(message), contentType: "text/xml" };
  return { status, body: JSON.stringify({ code: "FAIL", message }), contentType: "application/json" };
}

export function toResponse(answer: CallbackAnswer): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (answer.contentType) headers["Content-Type"] = answer.contentType;
  return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers });
}
