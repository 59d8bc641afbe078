"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";
import { getDb } from "@/lib/db/client";
import { msg } from "@/lib/message";

export const createApiKeyAction = defineAction(
  "manageApiKeys",
  z.object({ name: z.string().trim().min(1, "REQUIRED").max(100, "TOO_LONG") }),
  async (input, { user, actor }): Promise<ActionResult<{ key: string; prefix: string }>> => {
    // Keys made in the console belong to the current merchant; only MERCHANT_API_KEY may see every merchant.
    const { key, apiKey } = await createApiKey(getDb(), {
      name: input.name,
      merchantId: user.merchantId,
      createdBy: user.id,
      actor,
    });
    revalidatePath("/admin/api-keys");
    return { ok: true, data: { key, prefix: apiKey.prefix } };
  },
);

export const revokeApiKeyAction = defineAction(
  "manageApiKeys",
  z.object({ id: z.uuid() }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const revoked = await revokeApiKey(getDb(), { id: input.id, merchantId: user.merchantId, actor });
    if (!revoked.ok) {
      return revoked.error.code === "ALREADY_REVOKED"
        ? failure("ALREADY_REVOKED", msg("outcomes.console.apiKeys.ALREADY_REVOKED"))
        : failure("API_KEY_NOT_FOUND", msg("outcomes.console.apiKeys.API_KEY_NOT_FOUND"));
    }
    revalidatePath("/admin/api-keys");
    return { ok: true, data: null };
  },
);
