"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, INVALID_INPUT, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { parseYuan } from "@/lib/money";
import { MAX_REASON_LENGTH } from "@/lib/refunds/reasons";
import { requestRefund } from "@/lib/refunds/request";
import { orderIntervalMs } from "@/lib/refunds/settings";

const YUAN_ERRORS: Record<string, string> = {
  EMPTY: "Enter an amount.",
  FORMAT: "Enter an amount in yuan, like 12.50.",
  TOO_MANY_DECIMALS: "At most two decimals (fen).",
  TOO_LARGE: "That amount is too large.",
};

const refundFormSchema = z
  .object({
    orderId: z.coerce.number().int().positive(),
    amount: z.string(),
    reason: z.string().trim().min(1, "Choose a reason."),
    note: z.string().trim().default(""),
    fundsAccount: z.enum(["", "AVAILABLE"]).default(""),
  })
  .refine((f) => [f.reason, f.note].filter(Boolean).join(" · ").length <= MAX_REASON_LENGTH, {
    path: ["note"],
    message: `Reason and note together must fit WeChat's ${MAX_REASON_LENGTH} characters.`,
  });

export const requestRefundAction = defineAction("requestRefund", refundFormSchema, async (input, { user, actor }): Promise<ActionResult<{ outRefundNo: string }>> => {
  const amount = parseYuan(input.amount);
  if (!amount.ok) return INVALID_INPUT({ amount: [YUAN_ERRORS[amount.error] ?? "Invalid amount."] });
  const db = getDb();
  const result = await requestRefund(
    db,
    {
      orderId: input.orderId,
      amountFen: amount.value,
      reason: [input.reason, input.note].filter(Boolean).join(" · "),
      fundsAccount: input.fundsAccount === "AVAILABLE" ? "AVAILABLE" : undefined,
    },
    { actor, userId: user.id, orderIntervalMs: orderIntervalMs() },
  );
  if (!result.ok) {
    const field = result.error.code === "AMOUNT_EXCEEDS_REMAINING" || result.error.code === "INVALID_AMOUNT" ? { amount: [result.error.message.en] } : undefined;
    return failure(result.error.code, result.error.message, field);
  }
  // After commit: the refund is recorded and its amount reserved whatever happens to this queue call; the sweep
  // picks it up if the process dies right here.
  await enqueueSubmission(await getBoss(), result.value);
  revalidatePath(`/orders/${input.orderId}`);
  return { ok: true, data: { outRefundNo: result.value.outRefundNo } };
});
