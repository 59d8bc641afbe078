"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction, type ActionContext } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { approveRefund, MAX_REJECTION_NOTE_LENGTH, rejectRefund, type ApprovalContext } from "@/lib/refunds/approval";
import { queueCommittedRefund } from "@/lib/refunds/queue";
import { orderIntervalMs } from "@/lib/refunds/settings";

const approvalContext = ({ user, actor }: ActionContext): ApprovalContext => ({
  merchantId: user.merchantId,
  actor,
  userId: user.id,
  role: user.role,
  orderIntervalMs: orderIntervalMs(),
});

function refreshPages(orderId: number) {
  revalidatePath("/approvals");
  revalidatePath(`/orders/${orderId}`);
}

export const approveRefundAction = defineAction(
  "approveRefund",
  z.object({ outRefundNo: z.string().min(1) }),
  async (input, context): Promise<ActionResult<{ outRefundNo: string }>> => {
    const result = await approveRefund(getDb(), input.outRefundNo, approvalContext(context));
    if (!result.ok) return failure(result.error.code, result.error.message);
    const boss = await getBoss();
    await queueCommittedRefund((refund) => enqueueSubmission(boss, refund), result.value);
    refreshPages(result.value.orderId);
    return { ok: true, data: { outRefundNo: result.value.outRefundNo } };
  },
);

export const rejectRefundAction = defineAction(
  "approveRefund",
  z.object({
    outRefundNo: z.string().min(1),
    note: z.string().trim().min(1, "noteRequired").max(MAX_REJECTION_NOTE_LENGTH, "noteTooLong"),
  }),
  async (input, context): Promise<ActionResult<{ outRefundNo: string }>> => {
    const result = await rejectRefund(getDb(), input.outRefundNo, input.note, approvalContext(context));
    if (!result.ok) return failure(result.error.code, result.error.message);
    refreshPages(result.value.orderId);
    return { ok: true, data: { outRefundNo: result.value.outRefundNo } };
  },
);
