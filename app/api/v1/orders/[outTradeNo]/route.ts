import { getDb } from "@/lib/db/client";
import { consoleGateways } from "@/lib/jobs/start";
import { getOrder, getOrLookUpOrder } from "@/lib/merchant-api/orders";
import { apiRoute, authenticate, send } from "../../_lib/http";

/** An order with its sums and refunds; with `?lookup=wechat`, looked up at WeChat Pay when the console lacks it. */
export const GET = apiRoute(async (request: Request, { params }: { params: Promise<{ outTradeNo: string }> }) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const { outTradeNo } = await params;
  const db = getDb();
  const lookup = new URL(request.url).searchParams.get("lookup") === "wechat";
  return send(
    lookup
      ? await getOrLookUpOrder(db, context, outTradeNo, consoleGateways(db))
      : await getOrder(db, context, outTradeNo),
  );
});
