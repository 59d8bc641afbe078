import { getCallbackDb } from "@/lib/db/client";
import { trustedProxies } from "@/lib/env";
import { toResponse } from "@/lib/notifications/answer";
import { receivePaymentNotification } from "@/lib/notifications/receive";

/** WeChat Pay's APIv3 payment callbacks (TRANSACTION.SUCCESS); see lib/notifications/receive.ts. */
export async function POST(request: Request): Promise<Response> {
  return toResponse(await receivePaymentNotification(getCallbackDb(), request, { trustedProxies: trustedProxies() }));
}
