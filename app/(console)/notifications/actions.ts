"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import type { NotificationOutcome } from "@/lib/db/queries/notifications";
import { msg, type Message } from "@/lib/message";
import { reapplyNotification } from "@/lib/notifications/reapply";

/** What re-applying did, when the callback was taken (the refund shows its result now). */
const TAKEN: Partial<Record<NotificationOutcome, Message>> = {
  applied: msg("outcomes.console.notifications.reapplied.applied"),
  duplicate: msg("outcomes.console.notifications.reapplied.duplicate"),
  stale: msg("outcomes.console.notifications.reapplied.stale"),
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
    return failure(code, msg("outcomes.console.notifications.NOT_REAPPLIED", { code }));
  },
);
