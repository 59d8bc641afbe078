"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueReconcile, enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { consoleGateways } from "@/lib/jobs/start";
import type { Refund } from "@/lib/db/schema";
import { serverEnv } from "@/lib/env";
import { abnormalApplicationSchema, applyAbnormalRefund } from "@/lib/refunds/abnormal";
import { decideBankCardApplication, enterBankCardApplication } from "@/lib/refunds/bank-card-applications";
import { OUT_REFUND_NO_PATTERN } from "@/lib/refunds/out-refund-no";
import { queueCommittedRefund } from "@/lib/refunds/queue";
import { retryRefund } from "@/lib/refunds/retry";
import { orderIntervalMs } from "@/lib/refunds/settings";
import { msg } from "@/lib/message";

/** WeChat advises the first query about a minute after it accepts a refund. */
const FIRST_QUERY_MS = 60_000;

export const retryRefundAction = defineAction(
  "requestRefund",
  z.object({ outRefundNo: z.string().regex(OUT_REFUND_NO_PATTERN) }),
  async ({ outRefundNo }, { user, actor }): Promise<ActionResult<null>> => {
    const result = await retryRefund(getDb(), outRefundNo, {
      merchantId: user.merchantId,
      actor,
      userId: user.id,
      orderIntervalMs: orderIntervalMs(),
    });
    if (!result.ok) return failure(result.error.code, result.error.message);
    revalidatePath(`/refunds/${outRefundNo}`);
    revalidatePath(`/orders/${result.value.orderId}`);
    // Above the approval threshold the retry waits for a second person, like a new refund; it is queued on approval.
    if (result.value.status === "AWAITING_APPROVAL") {
      return {
        ok: true,
        data: null,
        message: msg("outcomes.console.refunds.RETRY_AWAITS_APPROVAL"),
      };
    }
    const boss = await getBoss();
    await queueCommittedRefund((refund, options) => enqueueSubmission(boss, refund, options), result.value, {
      immediate: true,
    });
    return {
      ok: true,
      data: null,
      message: msg("outcomes.console.refunds.RETRY_SENT"),
    };
  },
);

/** After WeChat took an application: the refund is followed up by query, besides its callback. */
async function afterSent(refund: Refund): Promise<ActionResult<null>> {
  revalidatePath(`/orders/${refund.orderId}`);
  if (refund.status === "PROCESSING") await enqueueReconcile(await getBoss(), refund.id, 0, FIRST_QUERY_MS);
  return {
    ok: true,
    data: null,
    message: msg("outcomes.console.refunds.ABNORMAL_APPLIED"),
  };
}

/**
 * An approver's abnormal-refund application. To the merchant's account it goes to WeChat at once (every call recorded
 * with the approver as its actor); to the payer's bank card it is only entered, for a second approver to approve.
 */
export const applyAbnormalRefundAction = defineAction(
  "applyAbnormalRefund",
  abnormalApplicationSchema,
  async (application, { user, actor }): Promise<ActionResult<null>> => {
    const db = getDb();
    const context = { merchantId: user.merchantId, actor, userId: user.id };
    revalidatePath(`/refunds/${application.outRefundNo}`);
    if (application.type === "USER_BANK_CARD") {
      const entered = await enterBankCardApplication(db, encryptionKey(), application, context);
      if (!entered.ok) return failure(entered.error.code, entered.error.message);
      return {
        ok: true,
        data: null,
        message: msg("outcomes.console.refunds.CARD_ENTERED"),
      };
    }
    const result = await applyAbnormalRefund(db, consoleGateways(db, user.id), application, context);
    if (!result.ok) return failure(result.error.wechatCode ?? result.error.code, result.error.message);
    return afterSent(result.value);
  },
);

/** A second approver approves (sends to WeChat) or rejects a bank card application entered by someone else. */
export const decideBankCardApplicationAction = defineAction(
  "applyAbnormalRefund",
  z.object({
    applicationId: z.coerce.number().int().positive(),
    decision: z.enum(["approve", "reject"]),
    note: z.string().max(500).optional(),
  }),
  async ({ applicationId, decision, note }, { user, actor }): Promise<ActionResult<null>> => {
    const db = getDb();
    const context = { merchantId: user.merchantId, actor, userId: user.id };
    const choice = { applicationId, approve: decision === "approve", note };
    const decided = await decideBankCardApplication(db, consoleGateways(db, user.id), encryptionKey(), choice, context);
    revalidatePath("/approvals");
    if (!decided.ok) return failure(decided.error.wechatCode ?? decided.error.code, decided.error.message);
    if (!decided.value) {
      return { ok: true, data: null, message: msg("outcomes.console.refunds.CARD_REJECTED") };
    }
    revalidatePath(`/refunds/${decided.value.outRefundNo}`);
    return afterSent(decided.value);
  },
);

/** The master key that seals cards awaiting approval; undefined when the deployment has none. */
function encryptionKey(): Buffer | undefined {
  return serverEnv().APP_ENCRYPTION_KEY;
}
