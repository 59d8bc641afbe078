"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, INVALID_INPUT, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import type { RefundStatus } from "@/lib/db/schema";
import { orderRecheckAfterMs } from "@/lib/env";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { consoleGateways } from "@/lib/jobs/start";
import { parseYuan } from "@/lib/money";
import { requestRefundFromConsole, type ConsoleRefundError } from "@/lib/refunds/console-request";
import { orderIntervalMs } from "@/lib/refunds/settings";

// Field errors are message keys (orders.form.errors.*): the form shows them in the operator's language.
const refundFormSchema = z.object({
  orderId: z.coerce.number().int().positive(),
  amount: z.string(),
  reason: z.string().trim().min(1, "reasonRequired"),
  note: z.string().trim().default(""),
  fundsAccount: z.enum(["", "AVAILABLE"]).default(""),
  password: z.string().default(""),
});

export interface RefundRequested {
  outRefundNo: string;
  status: RefundStatus;
}

/** The form's answer to a refund that was not recorded: the field to correct, or the rule's own message. */
function refused(error: ConsoleRefundError): ActionResult<never> {
  switch (error.code) {
    case "REASON_NOT_OFFERED":
      return INVALID_INPUT({ reason: ["reasonRequired"] });
    case "NOTE_TOO_LONG":
      return INVALID_INPUT({ note: ["tooLong"] });
    case "PASSWORD_REQUIRED":
      return INVALID_INPUT({ password: ["passwordRequired"] });
    case "REAUTH_FAILED":
      return failure(error.code, error.message, { password: ["wrongPassword"] });
    default:
      return failure(error.code, error.message);
  }
}

export const requestRefundAction = defineAction(
  "requestRefund",
  refundFormSchema,
  async (input, { user, actor }): Promise<ActionResult<RefundRequested>> => {
    const amount = parseYuan(input.amount);
    if (!amount.ok) return INVALID_INPUT({ amount: [`amount${amount.error}`] });
    const db = getDb();
    const boss = await getBoss();
    const result = await requestRefundFromConsole(
      db,
      {
        resolveGateway: consoleGateways(db, user.id),
        enqueue: (refund, options) => enqueueSubmission(boss, refund, options),
        recheckAfterMs: orderRecheckAfterMs(),
      },
      {
        merchantId: user.merchantId,
        orderId: input.orderId,
        amountFen: amount.value,
        reason: input.reason,
        note: input.note,
        fundsAccount: input.fundsAccount === "AVAILABLE" ? "AVAILABLE" : undefined,
        password: input.password,
      },
      { actor, userId: user.id, orderIntervalMs: orderIntervalMs() },
    );
    if (!result.ok) return refused(result.error);
    revalidatePath(`/orders/${input.orderId}`);
    return { ok: true, data: { outRefundNo: result.value.outRefundNo, status: result.value.status } };
  },
);
