"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueBackfill } from "@/lib/jobs/order-import-jobs";
import { requestBackfill } from "@/lib/orders-import/backfill";
import { importOrderFile } from "@/lib/orders-import/file-import";

/** Imports WeChat Pay's ALL bills of a range of past days as the current merchant's orders, in the background. */
export const requestBackfillAction = defineAction(
  "importOrders",
  z.object({ fromDate: z.string(), toDate: z.string() }),
  async ({ fromDate, toDate }, { user, actor }): Promise<ActionResult<{ backfillId: number; days: number }>> => {
    const requested = await requestBackfill(getDb(), { merchantId: user.merchantId, fromDate, toDate, actor });
    if (!requested.ok) {
      const { code, message, field } = requested.error;
      return failure(code, message, field ? { [field]: [code] } : undefined);
    }
    // After commit: the job reads the row it names.
    await enqueueBackfill(await getBoss(), requested.value.id, actor);
    revalidatePath("/orders/import");
    return { ok: true, data: { backfillId: requested.value.id, days: requested.value.daysTotal } };
  },
);

/** Imports a file of orders (the orders export's columns) into the current merchant, line by line. */
export const importOrderFileAction = defineAction(
  "importOrders",
  z.object({ file: z.instanceof(File) }),
  async (
    { file },
    { user, actor },
  ): Promise<ActionResult<{ importId: number; imported: number; unchanged: number; refused: number }>> => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const imported = await importOrderFile(getDb(), {
      merchantId: user.merchantId,
      fileName: file.name || "orders.csv",
      bytes,
      actor,
      userId: user.id,
    });
    if (!imported.ok) return failure(imported.error.code, imported.error.message);
    revalidatePath("/orders/import");
    revalidatePath("/orders");
    const { id, importedRows, unchangedRows, problems } = imported.value;
    return {
      ok: true,
      data: { importId: id, imported: importedRows, unchanged: unchangedRows, refused: problems.length },
    };
  },
);
