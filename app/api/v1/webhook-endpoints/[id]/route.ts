import { getDb } from "@/lib/db/client";
import { webhooksAllowPrivate } from "@/lib/env";
import { invalidRequest } from "@/lib/merchant-api/schemas";
import {
  deleteEndpointReply,
  getEndpointReply,
  updateEndpointReply,
  updateEndpointSchema,
} from "@/lib/merchant-api/webhook-endpoints";
import { apiRoute, authenticate, readJson, send } from "../../_lib/http";

type Params = { params: Promise<{ id: string }> };

export const GET = apiRoute(async (request: Request, { params }: Params) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  return send(await getEndpointReply(getDb(), context, (await params).id));
});

/** Change the URL, events or description, or `"status": "disabled"` / `"enabled"`. */
export const PATCH = apiRoute(async (request: Request, { params }: Params) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = updateEndpointSchema.safeParse(body.value);
  if (!parsed.success) return send(invalidRequest(parsed.error));
  const policy = { allowPrivate: webhooksAllowPrivate() };
  return send(await updateEndpointReply(getDb(), context, (await params).id, parsed.data, policy));
});

export const DELETE = apiRoute(async (request: Request, { params }: Params) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const policy = { allowPrivate: webhooksAllowPrivate() };
  return send(await deleteEndpointReply(getDb(), context, (await params).id, policy));
});
