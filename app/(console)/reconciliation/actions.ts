"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { consoleGateways } from "@/lib/jobs/start";
import { isPastBillDate } from "@/lib/reconciliation/bill-date";
import {
  acceptBillValue,
  explainMismatch,
  queryWechatForMismatch,
  type Resolved,
  type ResolveError,
} from "@/lib/reconciliation/resolve";
import { runReconciliation } from "@/lib/reconciliation/run";
import type { Result } from "@/lib/result";
import { billSourceForMerchant } from "@/lib/wechatpay/bill-source";
import { msg } from "@/lib/message";

const id = z.coerce.number().int().positive();

function refreshed<T>(data: T): ActionResult<T> {
  revalidatePath("/reconciliation", "layout");
  return { ok: true, data };
}

/** Reconciles the current merchant's bill of any past day now, as the daily job would. */
export const runReconciliationAction = defineAction(
  "resolveReconciliation",
  z.object({ billDate: z.string() }),
  async ({ billDate }, { user, actor }): Promise<ActionResult<{ billDate: string; status: string; dayId: number }>> => {
    if (!isPastBillDate(billDate, new Date())) {
      return failure("BILL_DATE_INVALID", msg("outcomes.console.reconciliation.BILL_DATE_INVALID"), {
        billDate: ["BILL_DATE_INVALID"],
      });
    }
    const db = getDb();
    const outcome = await runReconciliation(db, (m) => billSourceForMerchant(db, m), {
      merchantId: user.merchantId,
      billDate,
      actor,
    });
    return refreshed({ billDate, status: outcome.day.status, dayId: outcome.day.id });
  },
);

function answered(result: Result<Resolved, ResolveError>): ActionResult<Resolved> {
  return result.ok ? refreshed(result.value) : failure(result.error.code, result.error.message);
}

export const queryMismatchAction = defineAction(
  "resolveReconciliation",
  z.object({ id }),
  async (input, { user, actor }) =>
    answered(
      await queryWechatForMismatch(getDb(), consoleGateways(getDb(), user.id), input.id, {
        merchantId: user.merchantId,
        actor,
      }),
    ),
);

export const acceptMismatchAction = defineAction(
  "resolveReconciliation",
  z.object({ id }),
  async (input, { user, actor }) =>
    answered(await acceptBillValue(getDb(), input.id, { merchantId: user.merchantId, actor })),
);

export const explainMismatchAction = defineAction(
  "resolveReconciliation",
  z.object({ id, note: z.string().max(500) }),
  async (input, { user, actor }) =>
    answered(await explainMismatch(getDb(), input.id, input.note, { merchantId: user.merchantId, actor })),
);
