import { and, eq } from "drizzle-orm";
import { appendAudit } from "../audit/append";
import type { Database, Db } from "../db/client";
import { listOrderRefunds } from "../db/queries/refunds";
import { merchants, orders, type Order } from "../db/schema";
import { err, ok, type Result } from "../result";
import { apiActor, type ApiContext } from "./context";
import { apiError, MERCHANT_REQUIRED, ORDER_NOT_FOUND, type ApiReply } from "./errors";
import { orderJson, refundJson, type OrderJson, type RefundJson } from "./format";
import type { RecordOrderInput } from "./schemas";
import { lookUpPayment } from "../orders/lookup";
import type { GatewayResolver } from "../refunds/submit";
import { msg } from "../message";

export type OrderWithRefundsJson = OrderJson & { refunds: Omit<RefundJson, "out_trade_no">[] };

/** The merchant new orders belong to: the key's own, or the only one there is for an unscoped key. */
export async function merchantForNewOrder(db: Db, context: ApiContext): Promise<string | null> {
  if (context.principal.merchantId) return context.principal.merchantId;
  const rows = await db.select({ id: merchants.id }).from(merchants).limit(2);
  return rows.length === 1 ? rows[0]!.id : null;
}

/**
 * The order with this out_trade_no that the key may see. out_trade_no is unique per merchant only, so an unscoped key
 * that matches orders of two merchants cannot tell which one is meant.
 */
export async function findOrderForKey(
  db: Db,
  context: ApiContext,
  outTradeNo: string,
): Promise<Result<Order, ApiReply<never>>> {
  const { merchantId } = context.principal;
  const rows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.outTradeNo, outTradeNo), merchantId ? eq(orders.merchantId, merchantId) : undefined))
    .limit(2);
  if (rows.length === 0) return err(ORDER_NOT_FOUND());
  if (rows.length > 1) return err(MERCHANT_REQUIRED());
  return ok(rows[0]!);
}

/** The fields a repeat must match exactly to count as the same order. */
function conflictingFields(existing: Order, wanted: typeof orders.$inferInsert): string[] {
  const differs: [string, boolean][] = [
    ["transaction_id", existing.transactionId !== wanted.transactionId],
    ["total", existing.totalFen !== wanted.totalFen],
    ["currency", existing.currency !== wanted.currency],
    ["paid_at", existing.paidAt.getTime() !== wanted.paidAt.getTime()],
    ["description", existing.description !== wanted.description],
    ["payer_openid", existing.payerOpenid !== wanted.payerOpenid],
  ];
  return differs.filter(([, d]) => d).map(([field]) => field);
}

/**
 * Record an order the shop has been paid for, so it can be refunded. Idempotent by out_trade_no: the same order again
 * answers 200 with the stored one; different details for a known out_trade_no are a conflict, never an overwrite.
 */
export async function recordOrder(
  db: Database,
  context: ApiContext,
  input: RecordOrderInput,
): Promise<ApiReply<OrderJson>> {
  const merchantId = await merchantForNewOrder(db, context);
  if (!merchantId) return MERCHANT_REQUIRED();
  const wanted = {
    merchantId,
    outTradeNo: input.out_trade_no,
    transactionId: input.transaction_id,
    totalFen: input.total,
    currency: input.currency,
    paidAt: new Date(input.paid_at),
    description: input.description ?? "",
    payerOpenid: input.payer_openid ?? null,
  };
  return db.transaction(async (tx) => {
    // A concurrent insert of the same order waits here for the other to commit, then finds its row below.
    const [inserted] = await tx
      .insert(orders)
      .values(wanted)
      .onConflictDoNothing({ target: [orders.merchantId, orders.outTradeNo] })
      .returning();
    if (inserted) {
      await appendAudit(
        tx,
        apiActor(context),
        "order.recorded",
        { type: "order", id: inserted.id, merchantId: inserted.merchantId },
        {
          outTradeNo: inserted.outTradeNo,
          transactionId: inserted.transactionId,
          totalFen: inserted.totalFen,
        },
      );
      return { status: 201, body: orderJson(inserted) };
    }
    const [existing] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.merchantId, merchantId), eq(orders.outTradeNo, wanted.outTradeNo)));
    const conflicts = conflictingFields(existing!, wanted);
    if (conflicts.length > 0) {
      return apiError(
        "ORDER_CONFLICT",
        msg("outcomes.merchantApi.orders.ORDER_CONFLICT", {
          outTradeNo: wanted.outTradeNo,
          fields: conflicts.join(", "),
          fieldsZh: conflicts.join("、"),
        }),
        { conflicting_fields: conflicts },
      );
    }
    return { status: 200, body: orderJson(existing!), replayed: true };
  });
}

/** An order with its sums and every refund of it, newest first. */
export async function getOrder(
  db: Database,
  context: ApiContext,
  outTradeNo: string,
): Promise<ApiReply<OrderWithRefundsJson>> {
  const found = await findOrderForKey(db, context, outTradeNo);
  if (!found.ok) return found.error;
  return withRefunds(db, found.value);
}

/**
 * `?lookup=wechat`: the order, and when the console does not have it, WeChat Pay's order query by out_trade_no — a
 * paid payment is imported (201) and answered like any order; an unpaid one is ORDER_NOT_PAID with WeChat's
 * trade_state; one WeChat does not know is ORDER_NOT_FOUND.
 */
export async function getOrLookUpOrder(
  db: Database,
  context: ApiContext,
  outTradeNo: string,
  resolveGateway: GatewayResolver,
): Promise<ApiReply<OrderWithRefundsJson>> {
  const found = await findOrderForKey(db, context, outTradeNo);
  if (found.ok || found.error.status !== 404) return found.ok ? withRefunds(db, found.value) : found.error;
  const merchantId = await merchantForNewOrder(db, context);
  if (!merchantId) return MERCHANT_REQUIRED();
  const gateway = await resolveGateway(merchantId);
  if (!gateway.ok) return apiError("WECHATPAY_ERROR", gateway.error.message, { wechatpay_code: gateway.error.code });
  const result = await lookUpPayment(
    db,
    gateway.value,
    { merchantId, number: outTradeNo, as: "outTradeNo" },
    { actor: apiActor(context) },
  );
  if (!result.ok) {
    const { code, message } = result.error;
    if (code === "QUERY_INVALID") return ORDER_NOT_FOUND();
    return apiError(
      "WECHATPAY_ERROR",
      message,
      "wechatCode" in result.error ? { wechatpay_code: result.error.wechatCode } : {},
    );
  }
  const outcome = result.value;
  if (outcome.kind === "not_found") return ORDER_NOT_FOUND();
  if (outcome.kind === "unpaid") {
    return apiError(
      "ORDER_NOT_PAID",
      msg("outcomes.merchantApi.orders.ORDER_NOT_PAID", { outTradeNo, tradeState: outcome.tradeState }),
      { trade_state: outcome.tradeState, trade_state_desc: outcome.tradeStateDesc ?? null },
    );
  }
  const reply = await withRefunds(db, outcome.order);
  return outcome.kind === "imported" && outcome.created ? { ...reply, status: 201 } : reply;
}

async function withRefunds(db: Database, order: Order): Promise<ApiReply<OrderWithRefundsJson>> {
  const refunds = await listOrderRefunds(db, order.merchantId, order.id);
  return {
    status: 200,
    body: {
      ...orderJson(order),
      refunds: refunds.map((r) => {
        const { out_trade_no: _same, ...rest } = refundJson(r, order.outTradeNo);
        return rest;
      }),
    },
  };
}
