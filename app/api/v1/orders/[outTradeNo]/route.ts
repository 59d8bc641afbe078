import { getDb } from "@/lib/db/client";
import { getOrder } from "@/lib/merchant-api/orders";
import { apiRoute, authenticate, send } from "../../_lib/http";

/** An order with its sums and refunds. */
export const GET = apiRoute(async (request: Request, { params }: { params: Promise<{ outTradeNo: string }> }) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  return send(await getOrder(getDb(), context, (await params).outTradeNo));
});
