"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { definePlatformAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { addReason, moveReason, renameReason, setReasonActive } from "@/lib/refunds/reasons";

const id = z.coerce.number().int().positive();

/** Every change shows at once on this page and in the refund forms. */
function done(): ActionResult<undefined> {
  revalidatePath("/admin/reasons");
  revalidatePath("/orders/[id]", "page");
  return { ok: true, data: undefined };
}

export const addReasonAction = definePlatformAction(
  "manageSettings",
  z.object({ label: z.string() }),
  async (input, { actor }) => {
    const result = await addReason(getDb(), input.label, actor);
    return result.ok ? done() : failure(result.error.code, result.error.message, { label: [result.error.code] });
  },
);

export const renameReasonAction = definePlatformAction(
  "manageSettings",
  z.object({ id, label: z.string() }),
  async (input, { actor }) => {
    const result = await renameReason(getDb(), input.id, input.label, actor);
    return result.ok ? done() : failure(result.error.code, result.error.message, { label: [result.error.code] });
  },
);

export const moveReasonAction = definePlatformAction(
  "manageSettings",
  z.object({ id, direction: z.enum(["up", "down"]) }),
  async (input, { actor }) => {
    const result = await moveReason(getDb(), input.id, input.direction, actor);
    return result.ok ? done() : failure(result.error.code, result.error.message);
  },
);

export const setReasonActiveAction = definePlatformAction(
  "manageSettings",
  z.object({ id, active: z.enum(["true", "false"]) }),
  async (input, { actor }) => {
    const result = await setReasonActive(getDb(), input.id, input.active === "true", actor);
    return result.ok ? done() : failure(result.error.code, result.error.message);
  },
);
