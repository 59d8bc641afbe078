import { getDb } from "@/lib/db/client";
import { recordOrder } from "@/lib/merchant-api/orders";
import { invalidRequest, recordOrderSchema } from "@/lib/merchant-api/schemas";
import { apiRoute, authenticate, readJson, send } from "../_lib/http";

/** Record a paid order so it can be refunded: 201 when new, 200 when the same order was recorded before. */
export const POST = apiRoute(async (request: Request) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = recordOrderSchema.safeParse(body.value);
  if (!parsed.success) return send(invalidRequest(parsed.error));
  return send(await recordOrder(getDb(), context, parsed.data));
});
