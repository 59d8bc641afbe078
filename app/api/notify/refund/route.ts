import { getCallbackDb } from "@/lib/db/client";
import { trustedProxies } from "@/lib/env";
import { toResponse } from "@/lib/notifications/answer";
import { receiveRefundNotification } from "@/lib/notifications/receive";

/** WeChat Pay's refund result callbacks (APIv3 and APIv2); see lib/notifications/receive.ts. */
export async function POST(request: Request): Promise<Response> {
  return toResponse(await receiveRefundNotification(getCallbackDb(), request, { trustedProxies: trustedProxies() }));
}
