import { getDb } from "@/lib/db/client";
import { webhooksAllowPrivate } from "@/lib/env";
import { invalidRequest } from "@/lib/merchant-api/schemas";
import { createEndpointReply, createEndpointSchema, listEndpointsReply } from "@/lib/merchant-api/webhook-endpoints";
import { apiRoute, authenticate, readJson, send } from "../_lib/http";

/** Register an endpoint: 201 with its signing secret, shown this once. */
export const POST = apiRoute(async (request: Request) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = createEndpointSchema.safeParse(body.value);
  if (!parsed.success) return send(invalidRequest(parsed.error));
  return send(await createEndpointReply(getDb(), context, parsed.data, { allowPrivate: webhooksAllowPrivate() }));
});

/** The key's merchant's endpoints, without their secrets. */
export const GET = apiRoute(async (request: Request) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  return send(await listEndpointsReply(getDb(), context));
});
