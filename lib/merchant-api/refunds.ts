import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { getRefundDetail, listRefundEvents } from "../db/queries/refunds";
import { refunds, type Order, type Refund } from "../db/schema";
import { queueCommittedRefund, type EnqueueSubmission } from "../refunds/queue";
import { requestRefund } from "../refunds/request";
import { orderIntervalMs } from "../refunds/settings";
import { apiActor, type ApiContext } from "./context";
import { apiError, MERCHANT_REQUIRED, ORDER_NOT_FOUND, type ApiReply } from "./errors";
import { err, ok, type Result } from "../result";
import { eventJson, refundJson, type RefundEventJson, type RefundJson } from "./format";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  outRefundNoForIdempotencyKey,
  releaseIdempotencyKey,
  requestHash,
  type ClaimOptions,
} from "./idempotency";
import { findOrderForKey } from "./orders";
import type { CreateRefundInput } from "./schemas";
import { msg } from "../message";

export interface CreateRefundDependencies {
  /** Queue the submission to WeChat; called once per new refund, after it is committed. */
  enqueue: EnqueueSubmission;
  orderIntervalMs?: number;
  idempotency?: ClaimOptions;
  /**
   * Ask WeChat again about an imported order whose data is old, before the refund's checks (lib/orders/recheck):
   * refunds made meanwhile in the merchant platform then count.
   */
  recheck?: (order: Order) => Promise<unknown>;
}

const IDEMPOTENCY_KEY_REUSED = () =>
  apiError("IDEMPOTENCY_KEY_REUSED", msg("outcomes.merchantApi.refunds.IDEMPOTENCY_KEY_REUSED"));

/** The refund that already has this number: the same request again, or a conflict. Null while the number is free. */
async function repeatOf(
  db: Database,
  order: Order,
  amountFen: number,
  outRefundNo: string,
  numberFromKey: boolean,
): Promise<ApiReply<RefundJson> | null> {
  const [existing] = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, order.merchantId), eq(refunds.outRefundNo, outRefundNo)));
  if (!existing) return null;
  // Same order and amount is how WeChat itself recognises a repeated out_refund_no; the reason is only descriptive.
  if (existing.orderId === order.id && existing.amountFen === amountFen) {
    return { status: 202, body: refundJson(existing, order.outTradeNo), replayed: true };
  }
  if (numberFromKey) return IDEMPOTENCY_KEY_REUSED();
  return apiError(
    "OUT_REFUND_NO_CONFLICT",
    msg("outcomes.merchantApi.refunds.OUT_REFUND_NO_CONFLICT", { outRefundNo }),
  );
}

/** One attempt at the refund; `created` is set only when this call recorded a new one. */
async function requestOnce(
  db: Database,
  context: ApiContext,
  input: CreateRefundInput,
  outRefundNo: string | undefined,
  numberFromKey: boolean,
  deps: CreateRefundDependencies & { orderIntervalMs: number },
): Promise<{ reply: ApiReply<RefundJson>; created?: Refund }> {
  const found = await findOrderForKey(db, context, input.out_trade_no);
  if (!found.ok) return { reply: found.error };
  const order = found.value;
  await deps.recheck?.(order);
  if (outRefundNo) {
    const repeat = await repeatOf(db, order, input.amount, outRefundNo, numberFromKey);
    if (repeat) return { reply: repeat };
  }
  const result = await requestRefund(
    db,
    {
      merchantId: order.merchantId,
      orderId: order.id,
      amountFen: input.amount,
      reason: input.reason ?? "",
      fundsAccount: input.funds_account,
      outRefundNo,
    },
    { actor: apiActor(context), userId: null, orderIntervalMs: deps.orderIntervalMs },
  );
  if (result.ok)
    return { reply: { status: 202, body: refundJson(result.value, order.outTradeNo) }, created: result.value };
  if (outRefundNo) {
    // A concurrent repeat may have won while this one waited for the order's lock: then this one's rule check saw
    // the amount the winner reserved (or its number), and the honest answer is the winner's refund.
    const repeat = await repeatOf(db, order, input.amount, outRefundNo, numberFromKey);
    if (repeat) return { reply: repeat };
  }
  const { code, message } = result.error;
  if (code === "ORDER_NOT_FOUND") return { reply: ORDER_NOT_FOUND() };
  // Not reached in practice (repeatOf has just found no refund with the number), but never a 500.
  if (code === "DUPLICATE_OUT_REFUND_NO") return { reply: apiError("OUT_REFUND_NO_CONFLICT", message) };
  // A daily limit is a person's (userId is null for API keys): not reached either, and a 422 like the other limits.
  if (code === "DAILY_LIMIT_EXCEEDED") return { reply: apiError("REFUND_LIMIT_REACHED", message) };
  return { reply: apiError(code, message) };
}

/**
 * Request a refund for a shop back end. Safe to retry: with an Idempotency-Key the first answer is stored and replayed;
 * with an out_refund_no the refund of that number is the answer to every repeat. Without either, each call is a new
 * refund. The submission to WeChat is queued after the refund is committed, once.
 */
export async function createRefund(
  db: Database,
  context: ApiContext,
  input: CreateRefundInput,
  idempotencyKey: string | null,
  deps: CreateRefundDependencies,
): Promise<ApiReply<RefundJson>> {
  const withInterval = { ...deps, orderIntervalMs: deps.orderIntervalMs ?? orderIntervalMs() };
  const keyId = context.principal.keyId;
  let outcome: { reply: ApiReply<RefundJson>; created?: Refund };
  if (!idempotencyKey) {
    outcome = await requestOnce(db, context, input, input.out_refund_no, false, withInterval);
  } else {
    const hash = requestHash([
      "POST /api/v1/refunds",
      input.out_trade_no,
      input.amount,
      input.reason ?? "",
      input.out_refund_no ?? null,
      input.funds_account ?? null,
    ]);
    const claim = await claimIdempotencyKey(db, keyId, idempotencyKey, hash, deps.idempotency);
    if (claim.kind === "replay") return { ...(claim.reply as ApiReply<RefundJson>), replayed: true };
    if (claim.kind === "reused") return IDEMPOTENCY_KEY_REUSED();
    if (claim.kind === "busy") {
      return apiError("IDEMPOTENCY_KEY_IN_USE", msg("outcomes.merchantApi.refunds.IDEMPOTENCY_KEY_IN_USE"));
    }
    const outRefundNo = input.out_refund_no ?? outRefundNoForIdempotencyKey(keyId, idempotencyKey);
    try {
      outcome = await requestOnce(db, context, input, outRefundNo, !input.out_refund_no, withInterval);
    } catch (error) {
      await releaseIdempotencyKey(db, keyId, idempotencyKey).catch(() => {});
      throw error;
    }
    // Only an answer about a refund is kept; a refusal changed nothing, and a corrected retry may use the same key.
    if (outcome.reply.status < 300) await completeIdempotencyKey(db, keyId, idempotencyKey, outcome.reply);
    else await releaseIdempotencyKey(db, keyId, idempotencyKey);
  }
  // A refund above the merchant's approval threshold waits for an approver (202, AWAITING_APPROVAL): nothing to queue.
  if (outcome.created) await queueCommittedRefund(deps.enqueue, outcome.created);
  return outcome.reply;
}

/**
 * For the platform's unscoped key: the one merchant with a refund of this number. A refund number is unique per
 * merchant only (as at WeChat), so two merchants may both have it; then the key cannot tell which is meant.
 */
async function merchantOfRefund(
  db: Database,
  outRefundNo: string,
): Promise<Result<string | undefined, ApiReply<never>>> {
  const rows = await db
    .select({ merchantId: refunds.merchantId })
    .from(refunds)
    .where(eq(refunds.outRefundNo, outRefundNo))
    .limit(2);
  return rows.length > 1 ? err(MERCHANT_REQUIRED()) : ok(rows[0]?.merchantId);
}

export type RefundWithEventsJson = RefundJson & { events: RefundEventJson[] };

/** A refund and its timeline, oldest event first; 404 for a refund of another merchant than a scoped key's. */
export async function getRefund(
  db: Database,
  context: ApiContext,
  outRefundNo: string,
): Promise<ApiReply<RefundWithEventsJson>> {
  // A key scoped to a merchant looks in that merchant only; the platform's unscoped key finds the number anywhere.
  const scoped = context.principal.merchantId;
  const merchant = scoped ? ok(scoped) : await merchantOfRefund(db, outRefundNo);
  if (!merchant.ok) return merchant.error;
  const merchantId = merchant.value;
  const detail = merchantId ? await getRefundDetail(db, merchantId, outRefundNo) : null;
  if (!detail) {
    return apiError("REFUND_NOT_FOUND", msg("outcomes.merchantApi.refunds.REFUND_NOT_FOUND"));
  }
  const events = (await listRefundEvents(db, [detail.refund.id])).get(detail.refund.id) ?? [];
  return {
    status: 200,
    body: { ...refundJson(detail.refund, detail.order.outTradeNo), events: events.map(eventJson) },
  };
}
