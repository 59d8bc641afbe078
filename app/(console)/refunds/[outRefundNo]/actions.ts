"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { OUT_REFUND_NO_PATTERN } from "@/lib/refunds/out-refund-no";
import { retryRefund } from "@/lib/refunds/retry";
import { orderIntervalMs } from "@/lib/refunds/settings";

export const retryRefundAction = defineAction(
  "requestRefund",
  z.object({ outRefundNo: z.string().regex(OUT_REFUND_NO_PATTERN) }),
  async ({ outRefundNo }, { user, actor }): Promise<ActionResult<null>> => {
    const result = await retryRefund(getDb(), outRefundNo, { actor, userId: user.id, orderIntervalMs: orderIntervalMs() });
    if (!result.ok) return failure(result.error.code, result.error.message);
    await enqueueSubmission(await getBoss(), result.value, { immediate: true });
    revalidatePath(`/refunds/${outRefundNo}`);
    revalidatePath(`/orders/${result.value.orderId}`);
    return { ok: true, data: null, message: { zh: "已重新提交，使用同一退款单号。", en: "Sent again with the same refund number." } };
  },
);
