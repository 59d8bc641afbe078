import { getDb } from "@/lib/db/client";
import { orderRecheckAfterMs } from "@/lib/env";
import { getBoss } from "@/lib/jobs/boss";
import { consoleGateways } from "@/lib/jobs/start";
import { recheckBeforeRefund } from "@/lib/orders/recheck";
import { enqueueSubmission } from "@/lib/jobs/refund-jobs";
import { apiError } from "@/lib/merchant-api/errors";
import { createRefund } from "@/lib/merchant-api/refunds";
import { createRefundSchema, IDEMPOTENCY_KEY_PATTERN, invalidRequest } from "@/lib/merchant-api/schemas";
import { apiRoute, authenticate, readJson, send } from "../_lib/http";

/** Request a refund: 202 with the refund as recorded; WeChat is asked in the background. */
export const POST = apiRoute(async (request: Request) => {
  const context = await authenticate(request);
  if (context instanceof Response) return context;
  const idempotencyKey = request.headers.get("idempotency-key");
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    return send(
      apiError("INVALID_REQUEST", "Check the fields listed in field_errors.", {
        field_errors: { "Idempotency-Key": ["1 to 255 visible ASCII characters."] },
      }),
    );
  }
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = createRefundSchema.safeParse(body.value);
  if (!parsed.success) return send(invalidRequest(parsed.error));
  const db = getDb();
  const reply = await createRefund(db, context, parsed.data, idempotencyKey, {
    enqueue: async (refund) => enqueueSubmission(await getBoss(), refund),
    recheck: (order) =>
      recheckBeforeRefund(
        db,
        consoleGateways(db),
        { merchantId: order.merchantId, orderId: order.id },
        { maxAgeMs: orderRecheckAfterMs() },
      ),
  });
  return send(reply);
});
