"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, INVALID_INPUT, type ActionResult } from "@/lib/action-result";
import { appendAudit } from "@/lib/audit/append";
import { verifyPassword } from "@/lib/auth/password";
import { getDb } from "@/lib/db/client";
import { getOrderDetail } from "@/lib/db/queries/orders";
import { users, type RefundStatus } from "@/lib/db/schema";
import { orderRecheckAfterMs } from "@/lib/env";
import { getBoss } from "@/lib/jobs/boss";
import { consoleGateways } from "@/lib/jobs/start";
import { recheckBeforeRefund } from "@/lib/orders/recheck";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { parseYuan } from "@/lib/money";
import { listActiveReasons } from "@/lib/refunds/reasons";
import { reasonFits, refundReasonText } from "@/lib/wechatpay/reason-limit";
import { requestRefund } from "@/lib/refunds/request";
import { orderIntervalMs } from "@/lib/refunds/settings";
import { checkNewRefund, approvalReason } from "@/lib/refunds/policy";

// Field errors are message keys (orders.form.errors.*): the form shows them in the operator's language.
const refundFormSchema = z
  .object({
    orderId: z.coerce.number().int().positive(),
    amount: z.string(),
    reason: z.string().trim().min(1, "reasonRequired"),
    note: z.string().trim().default(""),
    fundsAccount: z.enum(["", "AVAILABLE"]).default(""),
    password: z.string().default(""),
  })
  .refine((f) => reasonFits(refundReasonText(f.reason, f.note)), { path: ["note"], message: "tooLong" });

export interface RefundRequested {
  outRefundNo: string;
  status: RefundStatus;
}

export const requestRefundAction = defineAction(
  "requestRefund",
  refundFormSchema,
  async (input, { user, actor }): Promise<ActionResult<RefundRequested>> => {
    const amount = parseYuan(input.amount);
    if (!amount.ok) return INVALID_INPUT({ amount: [`amount${amount.error}`] });
    const db = getDb();
    // A retired reason (or a forged one) is not offered any more: the payer sees only reasons an admin keeps.
    if (!(await listActiveReasons(db)).some((r) => r.label === input.reason))
      return INVALID_INPUT({ reason: ["reasonRequired"] });

    // An order imported from WeChat Pay is asked about again when its data is old: refunds made meanwhile in the
    // merchant platform count before this one is checked, so one beyond the true remaining is refused here.
    await recheckBeforeRefund(
      db,
      consoleGateways(db, user.id),
      { merchantId: user.merchantId, orderId: input.orderId },
      { maxAgeMs: orderRecheckAfterMs() },
    );

    // Refunds that need an approver ask for the password again; one refused anyway (a disabled merchant, a broken rule)
    // is refused for that reason.
    // Checked before the request (outside its lock): if the order's sums change meanwhile, the refund still waits for
    // an approver, which is the safeguard that matters.
    const order = await getOrderDetail(db, user.merchantId, input.orderId);
    if (
      order?.merchantActive &&
      checkNewRefund(order, amount.value, new Date()).ok &&
      approvalReason(order, amount.value, order.approvalThresholdFen)
    ) {
      if (!input.password) return INVALID_INPUT({ password: ["passwordRequired"] });
      const [own] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id));
      if (!own || !(await verifyPassword(own.passwordHash, input.password))) {
        await appendAudit(
          db,
          actor,
          "refund.reauth_failed",
          { type: "order", id: input.orderId, merchantId: user.merchantId },
          { amountFen: amount.value },
        );
        return failure(
          "REAUTH_FAILED",
          { zh: "密码不正确，退款未提交。", en: "Wrong password: the refund was not requested." },
          { password: ["wrongPassword"] },
        );
      }
    }

    const result = await requestRefund(
      db,
      {
        merchantId: user.merchantId,
        orderId: input.orderId,
        amountFen: amount.value,
        reason: refundReasonText(input.reason, input.note),
        fundsAccount: input.fundsAccount === "AVAILABLE" ? "AVAILABLE" : undefined,
      },
      { actor, userId: user.id, orderIntervalMs: orderIntervalMs() },
    );
    if (!result.ok) return failure(result.error.code, result.error.message);
    const refund = result.value;
    // After commit: the refund is recorded and its amount reserved whatever happens to this queue call; the sweep
    // picks it up if the process dies right here. A refund awaiting approval is queued when it is approved.
    if (refund.status === "PENDING") await enqueueSubmission(await getBoss(), refund);
    revalidatePath(`/orders/${input.orderId}`);
    return { ok: true, data: { outRefundNo: refund.outRefundNo, status: refund.status } };
  },
);
