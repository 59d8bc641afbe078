import { getDb } from "@/lib/db/client";
import { getRefund } from "@/lib/merchant-api/refunds";
import { apiRoute, authenticate, send } from "../../_lib/http";

/** A refund's current status and its timeline. */
export const GET = apiRoute(async (request: Request, { params }: { params: Promise<{ outRefundNo: string }> }) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  return send(await getRefund(getDb(), context, (await params).outRefundNo));
});
