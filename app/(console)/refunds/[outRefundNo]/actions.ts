"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueReconcile, enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { consoleGateways } from "@/lib/jobs/start";
import { abnormalApplicationSchema, applyAbnormalRefund } from "@/lib/refunds/abnormal";
import { OUT_REFUND_NO_PATTERN } from "@/lib/refunds/out-refund-no";
import { retryRefund } from "@/lib/refunds/retry";
import { orderIntervalMs } from "@/lib/refunds/settings";

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
    await enqueueSubmission(await getBoss(), result.value, { immediate: true });
    revalidatePath(`/refunds/${outRefundNo}`);
    revalidatePath(`/orders/${result.value.orderId}`);
    return {
      ok: true,
      data: null,
      message: { zh: "已重新提交，使用同一退款单号。", en: "Sent again with the same refund number." },
    };
  },
);

/** An approver's abnormal-refund application; every call to WeChat is recorded with the approver as its actor. */
export const applyAbnormalRefundAction = defineAction(
  "applyAbnormalRefund",
  abnormalApplicationSchema,
  async (application, { user, actor }): Promise<ActionResult<null>> => {
    const db = getDb();
    const context = { merchantId: user.merchantId, actor, userId: user.id };
    const result = await applyAbnormalRefund(db, consoleGateways(db, user.id), application, context);
    revalidatePath(`/refunds/${application.outRefundNo}`);
    if (!result.ok) return failure(result.error.wechatCode ?? result.error.code, result.error.message);
    revalidatePath(`/orders/${result.value.orderId}`);
    if (result.value.status === "PROCESSING")
      await enqueueReconcile(await getBoss(), result.value.id, 0, FIRST_QUERY_MS);
    return {
      ok: true,
      data: null,
      message: {
        zh: "微信支付已受理异常退款申请，退款结果将随通知或查询更新。",
        en: "WeChat Pay accepted the application; the outcome follows by callback or query.",
      },
    };
  },
);
