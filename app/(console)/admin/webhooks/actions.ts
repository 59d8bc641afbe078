"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { webhooksAllowPrivate } from "@/lib/env";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";
import {
  createEndpoint,
  deleteEndpoint,
  resendDelivery,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  type EndpointError,
} from "@/lib/webhooks/endpoints";
import type { AuditActor } from "@/lib/audit/append";
import { getMessageText } from "@/app/_server/message-text";

const who = (actor: AuditActor) => ({ actor, policy: { allowPrivate: webhooksAllowPrivate() } });
/** The URL's problem shows beside the field too, in the operator's language. */
const failed = async (error: EndpointError) =>
  failure(
    error.code,
    error.message,
    error.code === "INVALID_URL" ? { url: [(await getMessageText())(error.message)] } : undefined,
  );
const refresh = (id?: string) => {
  revalidatePath("/admin/webhooks");
  if (id) revalidatePath(`/admin/webhooks/${id}`);
};

/** One checkbox per event type, named after it; a form sends only the ticked ones. */
const eventBoxes = Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, z.literal("on").optional()]));

export const createWebhookEndpointAction = defineAction(
  "manageApiKeys",
  z
    .object({
      url: z.string().trim().min(1, "REQUIRED").max(2048, "TOO_LONG"),
      description: z.string().trim().max(200, "TOO_LONG").optional(),
      ...eventBoxes,
    })
    .transform((form, ctx) => {
      const events = WEBHOOK_EVENT_TYPES.filter((type) => (form as Record<string, unknown>)[type] === "on");
      if (!events.length) ctx.addIssue({ code: "custom", path: ["events"], message: "EVENTS_REQUIRED" });
      return { url: form.url, description: form.description, events };
    }),
  async (input, { user, actor }): Promise<ActionResult<{ id: string; secret: string }>> => {
    const created = await createEndpoint(getDb(), user.merchantId, input, who(actor));
    if (!created.ok) return failed(created.error);
    refresh();
    return { ok: true, data: { id: created.value.endpoint.id, secret: created.value.secret } };
  },
);

export const setWebhookEndpointStatusAction = defineAction(
  "manageApiKeys",
  z.object({ id: z.uuid(), status: z.enum(["enabled", "disabled"]) }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const updated = await updateEndpoint(getDb(), user.merchantId, input.id, { status: input.status }, who(actor));
    if (!updated.ok) return failed(updated.error);
    refresh(input.id);
    return { ok: true, data: null };
  },
);

export const deleteWebhookEndpointAction = defineAction(
  "manageApiKeys",
  z.object({ id: z.uuid() }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const deleted = await deleteEndpoint(getDb(), user.merchantId, input.id, who(actor));
    if (!deleted.ok) return failed(deleted.error);
    refresh();
    redirect("/admin/webhooks");
  },
);

export const rotateWebhookSecretAction = defineAction(
  "manageApiKeys",
  z.object({ id: z.uuid() }),
  async (input, { user, actor }): Promise<ActionResult<{ secret: string }>> => {
    const rotated = await rotateSecret(getDb(), user.merchantId, input.id, who(actor));
    if (!rotated.ok) return failed(rotated.error);
    refresh(input.id);
    return { ok: true, data: { secret: rotated.value.secret } };
  },
);

export const sendWebhookTestAction = defineAction(
  "manageApiKeys",
  z.object({ id: z.uuid() }),
  async (input, { user, actor }): Promise<ActionResult<{ messageId: string }>> => {
    const sent = await sendTestEvent(getDb(), user.merchantId, input.id, who(actor));
    if (!sent.ok) return failed(sent.error);
    refresh(input.id);
    return { ok: true, data: sent.value };
  },
);

export const resendWebhookDeliveryAction = defineAction(
  "manageApiKeys",
  z.object({ deliveryId: z.coerce.number().int().positive() }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const resent = await resendDelivery(getDb(), user.merchantId, input.deliveryId, who(actor));
    if (!resent.ok) return failed(resent.error);
    refresh();
    return { ok: true, data: null };
  },
);
