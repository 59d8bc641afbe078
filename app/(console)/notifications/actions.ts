"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import type { NotificationOutcome } from "@/lib/db/queries/notifications";
import type { BilingualText } from "@/lib/i18n-text";
import { reapplyNotification } from "@/lib/notifications/reapply";

/** What re-applying did, when the callback was taken (the refund shows its result now). */
const TAKEN: Partial<Record<NotificationOutcome, BilingualText>> = {
  applied: { zh: "已重新应用，退款状态已更新。", en: "Re-applied: the refund is updated." },
  duplicate: {
    zh: "微信支付重发的同一通知已先被处理，无需再次应用。",
    en: "WeChat Pay's own re-delivery of this notification was applied first; nothing more to do.",
  },
  stale: {
    zh: "退款已是该结果或更新的状态，未作更改。",
    en: "The refund already shows this result or a later one; nothing changed.",
  },
};

/** An admin re-applies a stored, verified callback that arrived before its refund was known. */
export const reapplyNotificationAction = defineAction(
  "reapplyNotification",
  z.object({ id: z.coerce.number().int().positive() }),
  async ({ id }, { user, actor }): Promise<ActionResult<{ outcome: NotificationOutcome }>> => {
    const result = await reapplyNotification(getDb(), user.merchantId, id, actor);
    if (!result.ok) return failure(result.error.code, result.error.message);
    const settled = result.value;
    revalidatePath("/notifications");
    const taken = TAKEN[settled.outcome];
    if (taken) return { ok: true, data: { outcome: settled.outcome }, message: taken };
    // Checked again under the refund's lock and refused there (another merchant's refund, another amount…).
    const code = settled.code ?? settled.outcome.toUpperCase();
    return failure(code, {
      zh: `重新应用未成功（${code}），该通知已按此结果记录。`,
      en: `Re-applying did not go through (${code}); the notification is recorded with that outcome.`,
    });
  },
);
