import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { refunds } from "../db/schema";
import { log } from "../log";
import type { WechatPayError } from "../wechatpay/errors";
import { appendRefundEvent, lockRefund, moveRefund } from "./move";
import type { SubmitOutcome } from "./submit";

const MINUTE = 60_000;

/** Back-off for retries with the same out_refund_no: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function retryDelayMs(attempt: number, code: string): number {
  const base = Math.min(10 * MINUTE, 5_000 * 2 ** Math.max(0, attempt - 1));
  // WeChat's rate limit per order is a minute: retrying sooner only trips it again.
  return code === "FREQUENCY_LIMITED" ? Math.max(base, MINUTE) : base;
}

/** An error as a timeline event's payload: WeChat's code and words, its advice, and the operator's message. */
export function errorPayload(error: WechatPayError) {
  return {
    code: error.code,
    message: error.detail,
    advice: error.advice,
    httpStatus: error.httpStatus,
    operatorMessage: error.message,
  };
}

/**
 * An error that leaves the refund PENDING or ends it, under the refund's lock. `answered`: WeChat answered this very
 * attempt (its advice is about the request just sent). Otherwise the merchant's gateway could not even be built
 * (credentials missing or unusable): such an error does not mend itself, so a refund WeChat cannot have seen ends
 * FAILED with the code and its explanation — under "Needs attention", and retried under the same number once an
 * admin has fixed the configuration — but one whose earlier attempt may have reached WeChat is never failed (WeChat
 * may be paying it): it keeps being retried, its error shown.
 */
export async function recordError(
  db: Database,
  refundId: number,
  error: WechatPayError,
  at: Date,
  attempt: { answered: true; number: number } | { answered: false },
): Promise<SubmitOutcome> {
  log.warn(
    { refundId, code: error.code, advice: error.advice, answered: attempt.answered },
    "refund submission failed",
  );
  return db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { id: refundId });
    // A callback may have settled it while we waited for the answer.
    if (!refund || refund.status !== "PENDING") return { kind: "settled" as const, status: refund?.status ?? "FAILED" };
    const fields = {
      lastErrorCode: error.code,
      lastErrorMessage: error.detail,
      // This attempt's lease ends with its answer; without an attempt there is no lease of ours to end.
      ...(attempt.answered ? { submittingUntil: null } : {}),
    };
    const source = attempt.answered ? ("gateway" as const) : ("system" as const);
    if (error.advice === "final" && (attempt.answered || !refund.outcomeUnknown)) {
      const type = attempt.answered ? "rejected" : "gateway_unavailable";
      await moveRefund(
        tx,
        refund,
        "FAILED",
        { type, source, at, payload: errorPayload(error) },
        { ...fields, outcomeUnknown: false, finishedAt: at },
      );
      return { kind: "settled" as const, status: "FAILED" as const };
    }
    // Only WeChat's own answer changes what is known about the request; a gateway that could not be built sent none.
    const outcomeUnknown = attempt.answered ? error.advice === "unknown" : refund.outcomeUnknown;
    const number = attempt.answered ? attempt.number : refund.attemptCount + 1;
    await tx
      .update(refunds)
      .set({ ...fields, outcomeUnknown, updatedAt: at })
      .where(eq(refunds.id, refundId));
    const afterMs = retryDelayMs(number, error.code);
    const type = !attempt.answered ? "gateway_unavailable" : outcomeUnknown ? "outcome_unknown" : "retry_scheduled";
    await appendRefundEvent(tx, refundId, {
      type,
      source,
      at,
      payload: { ...errorPayload(error), attempt: number, retryAt: new Date(at.getTime() + afterMs).toISOString() },
    });
    return { kind: "retry" as const, afterMs, reason: error.code };
  });
}
