import { and, eq } from "drizzle-orm";
import type { Database, Db } from "../db/client";
import { orders } from "../db/schema";
import { log } from "../log";
import type { Notification } from "../wechatpay/v3/notification";
import type { TransactionResource } from "../wechatpay/v3/schemas";
import type { Settled } from "./answer";
import { alreadyApplied, isAppliedOnceViolation, settleNotification, type NotificationRow } from "./record";

/** A paid order as a TRANSACTION.SUCCESS callback describes it. */
export type PaidOrder = Pick<
  typeof orders.$inferInsert,
  "merchantId" | "outTradeNo" | "transactionId" | "payerOpenid" | "totalFen" | "currency" | "paidAt"
>;

/** The order to record, or why this verified callback is not a payment the console can hold. */
function paidOrder(merchantId: string, notification: Notification<TransactionResource>): PaidOrder | Settled {
  const r = notification.resource;
  if (notification.eventType !== "TRANSACTION.SUCCESS" || r.trade_state !== "SUCCESS") {
    return {
      outcome: "rejected",
      code: "NOT_A_PAYMENT",
      reason: `${notification.eventType} with trade_state ${r.trade_state}`,
    };
  }
  // The orders table holds CNY only (WeChat Pay's domestic refunds are CNY).
  if (r.amount.currency !== "CNY") {
    return { outcome: "rejected", code: "UNSUPPORTED_CURRENCY", reason: `currency ${r.amount.currency}` };
  }
  return {
    merchantId,
    outTradeNo: r.out_trade_no,
    transactionId: r.transaction_id,
    payerOpenid: "openid" in r.payer ? r.payer.openid : (r.payer.sub_openid ?? r.payer.sp_openid ?? null),
    totalFen: r.amount.total,
    currency: r.amount.currency,
    paidAt: new Date(r.success_time),
  };
}

/**
 * Records a paid order exactly once: a new order is inserted (on conflict with the merchant's out_trade_no, nothing
 * is), and the notification row becomes `applied` in the same transaction. An order already there with the same
 * transaction and total is a `duplicate`; one with different ones is an `error` someone must look at, answered
 * 409 so WeChat keeps the callback alive meanwhile.
 */
export async function recordPayment(
  db: Database,
  row: NotificationRow,
  notification: Notification<TransactionResource>,
  merchantId: string,
): Promise<Settled> {
  const order = paidOrder(merchantId, notification);
  if ("outcome" in order) {
    await settleNotification(db, row, order);
    return order;
  }
  try {
    return await db.transaction(async (tx) => {
      let settled: Settled;
      if (await alreadyApplied(tx, notification.id)) {
        settled = { outcome: "duplicate" };
      } else {
        const inserted = await tx
          .insert(orders)
          .values(order)
          .onConflictDoNothing({ target: [orders.merchantId, orders.outTradeNo] })
          .returning({ id: orders.id });
        settled = inserted.length > 0 ? { outcome: "applied" } : await compareExisting(tx, order);
      }
      await settleNotification(tx, row, settled);
      return settled;
    });
  } catch (error) {
    if (!isAppliedOnceViolation(error)) throw error;
    const settled: Settled = { outcome: "duplicate" };
    await settleNotification(db, row, settled);
    return settled;
  }
}

async function compareExisting(db: Db, order: PaidOrder): Promise<Settled> {
  const [existing] = await db
    .select({ transactionId: orders.transactionId, totalFen: orders.totalFen })
    .from(orders)
    .where(and(eq(orders.merchantId, order.merchantId), eq(orders.outTradeNo, order.outTradeNo)));
  if (existing && existing.transactionId === order.transactionId && existing.totalFen === order.totalFen)
    return { outcome: "duplicate" };
  const reason = `order ${order.outTradeNo} exists with transaction ${existing?.transactionId} of ${existing?.totalFen} fen`;
  log.warn(
    { outTradeNo: order.outTradeNo, transactionId: order.transactionId, totalFen: order.totalFen, existing },
    "payment notification conflicts with a recorded order",
  );
  return { outcome: "error", code: "ORDER_CONFLICT", reason };
}
