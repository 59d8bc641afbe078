import type { Refund } from "../db/schema";
import { log } from "../log";

/** Puts a refund's submission on the job queue (lib/jobs/refund-jobs.ts `enqueueSubmission`, bound to the queue). */
export type EnqueueSubmission = (refund: Refund, options?: { immediate?: boolean }) => Promise<void>;

/**
 * After commit, hands a PENDING refund to the submission queue; any other status (awaiting approval) waits. A failure
 * here loses nothing and is not the requester's: the refund is recorded and its amount reserved, and the minute sweep
 * queues PENDING refunds whose job went missing. So it is logged, never thrown into a success.
 */
export async function queueCommittedRefund(
  enqueue: EnqueueSubmission,
  refund: Refund,
  options?: { immediate?: boolean },
): Promise<void> {
  if (refund.status !== "PENDING") return;
  try {
    await enqueue(refund, options);
  } catch (error) {
    log.warn({ err: error, refundId: refund.id }, "could not queue a refund's submission; the sweep will pick it up");
  }
}
