"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction, type ActionContext } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { cancelBatch, confirmBatch, decideBatch, pauseBatch, resumeBatch, type BatchActor } from "@/lib/bulk/lifecycle";
import { uploadBatch } from "@/lib/bulk/upload";
import { getDb } from "@/lib/db/client";
import type { BulkBatchStatus } from "@/lib/db/schema";
import { getBoss } from "@/lib/jobs/boss";
import { enqueueBulkRun } from "@/lib/jobs/bulk-jobs";

const uploadSchema = z.object({ file: z.instanceof(File) });

export const uploadBatchAction = defineAction(
  "bulkRefund",
  uploadSchema,
  async (input, { user, actor }): Promise<ActionResult<{ batchId: number; encoding: string }>> => {
    const bytes = new Uint8Array(await input.file.arrayBuffer());
    const uploaded = await uploadBatch(
      getDb(),
      { merchantId: user.merchantId, fileName: input.file.name || "upload.csv", bytes },
      { actor, userId: user.id },
    );
    if (!uploaded.ok) return failure(uploaded.error.code, uploaded.error.message);
    revalidatePath("/refunds/bulk");
    return { ok: true, data: { batchId: uploaded.value.batchId, encoding: uploaded.value.encoding } };
  },
);

const batchSchema = z.object({ batchId: z.coerce.number().int().positive() });
const who = ({ user, actor }: ActionContext): BatchActor => ({
  merchantId: user.merchantId,
  userId: user.id,
  role: user.role,
  actor,
});

/** After any change: a batch that is now RUNNING gets its run queued (after commit; the sweep covers a crash here). */
async function settle(
  batchId: number,
  result: Awaited<ReturnType<typeof confirmBatch>>,
): Promise<ActionResult<{ status: BulkBatchStatus }>> {
  if (!result.ok) return failure(result.error.code, result.error.message);
  if (result.value === "RUNNING") await enqueueBulkRun(await getBoss(), batchId);
  revalidatePath(`/refunds/bulk/${batchId}`);
  return { ok: true, data: { status: result.value } };
}

export const confirmBatchAction = defineAction("bulkRefund", batchSchema, async ({ batchId }, context) =>
  settle(batchId, await confirmBatch(getDb(), batchId, who(context))),
);

export const decideBatchAction = defineAction(
  "approveRefund",
  batchSchema.extend({ decision: z.enum(["approve", "reject"]), note: z.string().trim().max(200).default("") }),
  async ({ batchId, decision, note }, context) =>
    settle(batchId, await decideBatch(getDb(), batchId, { approve: decision === "approve", note }, who(context))),
);

export const pauseBatchAction = defineAction("bulkRefund", batchSchema, async ({ batchId }, context) =>
  settle(batchId, await pauseBatch(getDb(), batchId, who(context))),
);

export const resumeBatchAction = defineAction("bulkRefund", batchSchema, async ({ batchId }, context) =>
  settle(batchId, await resumeBatch(getDb(), batchId, who(context))),
);

export const cancelBatchAction = defineAction("bulkRefund", batchSchema, async ({ batchId }, context) =>
  settle(batchId, await cancelBatch(getDb(), batchId, who(context))),
);
