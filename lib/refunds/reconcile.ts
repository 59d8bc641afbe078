import type { Database } from "../db/client";
import { appendRefundEvent, lockRefund } from "./move";
import { applyGatewayReport } from "./report";
import { isFinal } from "./status";
import type { GatewayResolver } from "./submit";

export type ReconcileOutcome = { kind: "final" } | { kind: "again"; afterMs: number };

/** WeChat advises querying about a minute after acceptance; then less and less often, up to every 6 hours. */
const SCHEDULE_MS = [60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000];

export function reconcileDelayMs(round: number): number {
  return SCHEDULE_MS[Math.min(round, SCHEDULE_MS.length - 1)] ?? 21_600_000;
}

/**
 * Ask WeChat where an accepted refund stands and apply the answer through the same exactly-once path as callbacks
 * (source `reconciler`). Used when no callback arrives: a refund becomes final even if every notification is lost.
 */
export async function reconcileRefund(
  db: Database,
  resolveGateway: GatewayResolver,
  refundId: number,
  round: number,
): Promise<ReconcileOutcome> {
  const [current] = await db.query.refunds.findMany({ where: (r, { eq }) => eq(r.id, refundId), limit: 1 });
  if (!current || isFinal(current.status) || current.status === "PENDING" || current.status === "AWAITING_APPROVAL")
    return { kind: "final" };
  const gateway = await resolveGateway(current.merchantId);
  const answer = gateway.ok ? await gateway.value.query(current.outRefundNo) : gateway;
  return db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { id: refundId });
    if (!refund || isFinal(refund.status)) return { kind: "final" as const };
    if (!answer.ok) {
      await appendRefundEvent(tx, refund.id, {
        type: "query_failed",
        source: "reconciler",
        payload: { code: answer.error.code, message: answer.error.detail },
      });
      return { kind: "again" as const, afterMs: reconcileDelayMs(round) };
    }
    await applyGatewayReport(tx, refund, answer.value, "reconciler");
    const after = await lockRefund(tx, { id: refundId });
    // ABNORMAL waits for a person to apply for an abnormal refund; nothing to query until then.
    return after && (isFinal(after.status) || after.status === "ABNORMAL")
      ? { kind: "final" as const }
      : { kind: "again" as const, afterMs: reconcileDelayMs(round) };
  });
}
