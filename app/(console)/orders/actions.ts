"use server";

import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { consoleGateways } from "@/lib/jobs/start";
import { lookUpPayment } from "@/lib/orders/lookup";
import type { TradeState } from "@/lib/refunds/gateway";

const lookupSchema = z.object({ number: z.string().trim().min(1).max(64) });

export type LookupResult =
  | { kind: "order"; orderId: number; created: boolean; externalRefunds: number; refundsUnlisted: boolean }
  | { kind: "unpaid"; outTradeNo: string; tradeState: TradeState; tradeStateDesc?: string; totalFen?: number }
  | { kind: "not_found" };

/**
 * "Look up at WeChat Pay": a payment the console does not have, found at WeChat by its transaction_id or
 * out_trade_no and imported when paid. The page then opens the order, ready to refund.
 */
export const lookUpPaymentAction = defineAction(
  "lookUpPayment",
  lookupSchema,
  async (input, { user, actor }): Promise<ActionResult<LookupResult>> => {
    const db = getDb();
    const gateway = await consoleGateways(db, user.id)(user.merchantId);
    if (!gateway.ok) return failure("WECHATPAY_ERROR", gateway.error.message);
    const result = await lookUpPayment(
      db,
      gateway.value,
      { merchantId: user.merchantId, number: input.number },
      { actor },
    );
    if (!result.ok) return failure(result.error.code, result.error.message);
    const outcome = result.value;
    if (outcome.kind === "known") {
      return {
        ok: true,
        data: { kind: "order", orderId: outcome.order.id, created: false, externalRefunds: 0, refundsUnlisted: false },
      };
    }
    if (outcome.kind === "imported") {
      // No revalidation of /orders: the panel that asked must stay on screen to open the order (a dynamic page,
      // the list shows the order on the next visit anyway).
      const { order, created, externalRefunds, refundsUnlisted } = outcome;
      return { ok: true, data: { kind: "order", orderId: order.id, created, externalRefunds, refundsUnlisted } };
    }
    return { ok: true, data: outcome };
  },
);
