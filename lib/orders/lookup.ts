import { and, eq, or } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { orders, type Order } from "../db/schema";
import { msg, type Message } from "../message";
import type { GatewayTransaction, RefundGateway, TradeState } from "../refunds/gateway";
import { err, ok, type Result } from "../result";
import type { WechatPayError } from "../wechatpay/errors";
import { transactionRefOf, transactionRefSchema, type TransactionRef } from "../wechatpay/transaction-ref";
import { recordWechatRefunds } from "./recheck";

export type LookupOutcome =
  /** The console already has the order (by transaction_id or out_trade_no). */
  | { kind: "known"; order: Order }
  /** Paid at WeChat: now an order of the console (`created` false when another lookup imported it first). */
  | {
      kind: "imported";
      order: Order;
      created: boolean;
      /** External refunds recorded with it. */
      externalRefunds: number;
      /** WeChat says it has refunds (REFUND) and the protocol cannot list them (APIv3): the refund bill will. */
      refundsUnlisted: boolean;
    }
  /** Known to WeChat but not paid (NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR): shown, not imported. */
  | { kind: "unpaid"; outTradeNo: string; tradeState: TradeState; tradeStateDesc?: string; totalFen?: number }
  | { kind: "not_found" };

export type LookupError =
  | { code: "QUERY_INVALID" | "UNSUPPORTED_CURRENCY" | "INCOMPLETE_ANSWER"; message: Message }
  | { code: "WECHATPAY_ERROR"; message: Message; wechatCode: string };

/** WeChat's answers for a payment it does not know: APIv3 ORDER_NOT_EXIST, APIv2 ORDERNOTEXIST (mapped). */
const NOT_FOUND_CODES = ["ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"];

export const PAID_STATES: readonly TradeState[] = ["SUCCESS", "REFUND"];

/** The order of this merchant that a pasted number names, by WeChat's transaction_id or the shop's out_trade_no. */
export async function findOrderByNumber(db: Db, merchantId: string, number: string): Promise<Order | undefined> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.merchantId, merchantId), or(eq(orders.transactionId, number), eq(orders.outTradeNo, number))))
    .limit(1);
  return order;
}

async function findOrderByOutTradeNo(db: Db, merchantId: string, outTradeNo: string): Promise<Order | undefined> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.merchantId, merchantId), eq(orders.outTradeNo, outTradeNo)));
  return order;
}

/**
 * What to ask WeChat for a pasted number: a 28-digit one may be either, so its transaction_id is asked first. A
 * number known to be the shop's (the merchant API's path) is asked as that only.
 */
function refsFor(number: string, as?: "outTradeNo"): TransactionRef[] {
  if (as === "outTradeNo") {
    const parsed = transactionRefSchema.safeParse({ outTradeNo: number });
    return parsed.success ? [parsed.data] : [];
  }
  const ref = transactionRefOf(number);
  if (!ref) return [];
  return "transactionId" in ref ? [ref, { outTradeNo: ref.transactionId }] : [ref];
}

async function queryFirstFound(
  gateway: RefundGateway,
  refs: TransactionRef[],
): Promise<Result<GatewayTransaction | undefined, WechatPayError>> {
  for (const ref of refs) {
    const answer = await gateway.queryTransaction(ref);
    if (answer.ok) return answer;
    if (!NOT_FOUND_CODES.includes(answer.error.code)) return answer;
  }
  return ok(undefined);
}

/**
 * Looks a payment up at WeChat Pay by the number an operator pasted (the transaction_id on the payer's receipt, or
 * the shop's out_trade_no) and, when it is paid, imports it as an order of the merchant with its amounts, payer,
 * time and attach — and the refunds WeChat lists for it that the console never made, as external refunds.
 * Idempotent: a second lookup of the same payment finds the order (or, racing, the other lookup's insert).
 * The network comes first; the transaction then inserts, locks, records refunds and audits together.
 */
export async function lookUpPayment(
  db: Database,
  gateway: RefundGateway,
  input: { merchantId: string; number: string; as?: "outTradeNo" },
  context: { actor: AuditActor; now?: Date },
): Promise<Result<LookupOutcome, LookupError>> {
  const now = context.now ?? new Date();
  const number = input.number.trim();
  const refs = refsFor(number, input.as);
  if (refs.length === 0) {
    return err({
      code: "QUERY_INVALID",
      message: msg("outcomes.orders.lookup.QUERY_INVALID"),
    });
  }
  const known =
    input.as === "outTradeNo"
      ? await findOrderByOutTradeNo(db, input.merchantId, number)
      : await findOrderByNumber(db, input.merchantId, number);
  if (known) return ok({ kind: "known", order: known });

  const answer = await queryFirstFound(gateway, refs);
  if (!answer.ok) return err({ code: "WECHATPAY_ERROR", message: answer.error.message, wechatCode: answer.error.code });
  const t = answer.value;
  if (!t) return ok({ kind: "not_found" });
  if (!PAID_STATES.includes(t.tradeState)) {
    return ok({
      kind: "unpaid",
      outTradeNo: t.outTradeNo,
      tradeState: t.tradeState,
      tradeStateDesc: t.tradeStateDesc,
      totalFen: t.totalFen,
    });
  }
  if (!t.transactionId || !t.totalFen || !t.successTime) {
    return err({
      code: "INCOMPLETE_ANSWER",
      message: msg("outcomes.orders.lookup.INCOMPLETE_ANSWER"),
    });
  }
  if ((t.currency ?? "CNY") !== "CNY") {
    return err({
      code: "UNSUPPORTED_CURRENCY",
      message: msg("outcomes.orders.lookup.UNSUPPORTED_CURRENCY", { currency: String(t.currency) }),
    });
  }
  const listed = await gateway.listRefunds(t.transactionId);
  if (!listed.ok) return err({ code: "WECHATPAY_ERROR", message: listed.error.message, wechatCode: listed.error.code });

  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(orders)
      .values({
        merchantId: input.merchantId,
        outTradeNo: t.outTradeNo,
        transactionId: t.transactionId!,
        totalFen: t.totalFen!,
        payerTotalFen: t.payerTotalFen ?? null,
        currency: "CNY",
        payerOpenid: t.payerOpenid ?? null,
        paidAt: new Date(t.successTime!),
        attach: t.attach || null,
        source: "wechat_query",
        checkedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing({ target: [orders.merchantId, orders.outTradeNo] })
      .returning();
    const [order] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.merchantId, input.merchantId), eq(orders.outTradeNo, t.outTradeNo)))
      .for("update");
    const recorded = await recordWechatRefunds(tx, order!, listed.value, { source: "gateway", now });
    if (inserted) {
      await appendAudit(
        tx,
        context.actor,
        "order.imported",
        { type: "order", id: inserted.id, merchantId: input.merchantId },
        {
          outTradeNo: t.outTradeNo,
          transactionId: t.transactionId,
          totalFen: t.totalFen,
          tradeState: t.tradeState,
          externalRefunds: recorded.recorded,
          from: "wechatpay_order_query",
        },
      );
    }
    const [fresh] = await tx.select().from(orders).where(eq(orders.id, order!.id));
    return ok({
      kind: "imported" as const,
      order: fresh!,
      created: Boolean(inserted),
      externalRefunds: recorded.recorded.length,
      refundsUnlisted: listed.value === null && t.tradeState === "REFUND",
    });
  });
}
