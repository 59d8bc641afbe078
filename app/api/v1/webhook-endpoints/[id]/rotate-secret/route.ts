import { getDb } from "@/lib/db/client";
import { webhooksAllowPrivate } from "@/lib/env";
import { rotateSecretReply } from "@/lib/merchant-api/webhook-endpoints";
import { apiRoute, authenticate, send } from "../../../_lib/http";

/** A new signing secret, shown once; the old one keeps signing beside it for 24 hours. */
export const POST = apiRoute(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const policy = { allowPrivate: webhooksAllowPrivate() };
  return send(await rotateSecretReply(getDb(), context, (await params).id, policy));
});
