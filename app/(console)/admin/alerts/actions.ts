"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { definePlatformAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import {
  channelFieldsSchema,
  createChannel,
  deleteChannel,
  sendTestAlert,
  setChannelEnabled,
  type ChannelError,
} from "@/lib/alerts/channels";
import { getDb } from "@/lib/db/client";
import { serverEnv, webhooksAllowPrivate } from "@/lib/env";
import { systemResolver } from "@/lib/webhooks/ssrf";
import { getMessageText } from "@/app/_server/message-text";

/** The URL's problem shows beside the field too, in the operator's language. */
const failed = async (error: ChannelError) =>
  failure(
    error.code,
    error.message,
    error.code === "INVALID_URL" ? { url: [(await getMessageText())(error.message)] } : undefined,
  );
const policy = () => ({ allowPrivate: webhooksAllowPrivate() });
function done<T>(data: T): ActionResult<T> {
  revalidatePath("/admin/alerts");
  return { ok: true, data };
}

export const createAlertChannelAction = definePlatformAction(
  "manageSettings",
  channelFieldsSchema,
  async (input, { actor }): Promise<ActionResult<null>> => {
    const created = await createChannel(getDb(), input, { actor, policy: policy() });
    return created.ok ? done(null) : failed(created.error);
  },
);

export const setAlertChannelEnabledAction = definePlatformAction(
  "manageSettings",
  z.object({ id: z.uuid(), enabled: z.enum(["true", "false"]) }),
  async (input, { actor }): Promise<ActionResult<null>> => {
    const changed = await setChannelEnabled(getDb(), input.id, input.enabled === "true", actor);
    return changed.ok ? done(null) : failed(changed.error);
  },
);

export const deleteAlertChannelAction = definePlatformAction(
  "manageSettings",
  z.object({ id: z.uuid() }),
  async (input, { actor }): Promise<ActionResult<null>> => {
    const deleted = await deleteChannel(getDb(), input.id, actor);
    return deleted.ok ? done(null) : failed(deleted.error);
  },
);

export const sendTestAlertAction = definePlatformAction(
  "manageSettings",
  z.object({ id: z.uuid() }),
  async (input): Promise<ActionResult<{ error: string | null }>> => {
    const sent = await sendTestAlert(getDb(), input.id, {
      appUrl: serverEnv().APP_URL,
      policy: policy(),
      resolver: systemResolver,
    });
    return sent.ok ? done(sent.value) : failed(sent.error);
  },
);
