import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants, orders, refundEvents, refunds, type RefundStatus } from "../db/schema";
import { sumRefunds } from "../refunds/status";

/** The demo merchant; the bundled simulator holds the same merchant and its paid transactions. */
export const DEMO_MERCHANT = {
  mchid: "1900000109",
  appid: "wx8888888888888888",
  displayName: "Demo Coffee 演示咖啡",
} as const;

const PRODUCTS = [
  "Latte 拿铁 ×2",
  "Americano 美式咖啡",
  "Coffee beans 咖啡豆 500g",
  "Gift card 礼品卡",
  "Cold brew 冷萃 ×6",
  "Mug 马克杯",
  "Monthly subscription 月度订阅",
  "Pour-over kit 手冲套装",
  "Croissant 可颂 ×4",
  "Espresso machine 意式咖啡机",
];

/** Deterministic pseudo-random numbers so every fresh demo looks the same. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoOrder {
  outTradeNo: string;
  transactionId: string;
  totalFen: number;
  paidAt: Date;
  description: string;
  payerOpenid: string;
}

/** The demo's paid orders, as both the console and the simulator record them. */
export function demoOrders(now = new Date(), count = 300): DemoOrder[] {
  const random = mulberry32(20261123);
  const result: DemoOrder[] = [];
  for (let i = 0; i < count; i++) {
    const ageMs = Math.floor(random() * 200 * 86_400_000) + 3_600_000;
    const paidAt = new Date(now.getTime() - ageMs);
    const day = paidAt.toISOString().slice(0, 10).replace(/-/g, "");
    const totalFen = random() < 0.1 ? 100_000 + Math.floor(random() * 400_000) : 100 + Math.floor(random() * 60_000);
    result.push({
      outTradeNo: `DEMO${day}${String(i + 1).padStart(5, "0")}`,
      transactionId: `42000${day}${String(Math.floor(random() * 1e10)).padStart(10, "0")}${String(i).padStart(3, "0")}`,
      totalFen,
      paidAt,
      description: PRODUCTS[Math.floor(random() * PRODUCTS.length)] ?? "Order",
      payerOpenid: `oDemo${Math.floor(random() * 60)
        .toString(36)
        .padStart(4, "0")}Payer`,
    });
  }
  return result.sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime());
}

interface PlannedRefund {
  status: RefundStatus;
  amountFen: number;
}

function planRefunds(order: DemoOrder, random: () => number): PlannedRefund[] {
  const roll = random();
  if (roll < 0.7) return [];
  if (roll < 0.8) return [{ status: "SUCCESS", amountFen: order.totalFen }];
  const statuses: RefundStatus[] = ["SUCCESS", "SUCCESS", "PROCESSING", "PENDING", "CLOSED", "ABNORMAL", "FAILED"];
  const planned: PlannedRefund[] = [];
  let left = order.totalFen;
  const n = 1 + Math.floor(random() * 3);
  for (let i = 0; i < n && left > 1; i++) {
    const amountFen = Math.max(1, Math.floor(left * (0.2 + random() * 0.3)));
    const status = statuses[Math.floor(random() * statuses.length)] ?? "SUCCESS";
    planned.push({ status, amountFen });
    if (status !== "CLOSED" && status !== "FAILED") left -= amountFen;
  }
  return planned;
}

const AWAITING_APPROVAL_DEMOS = 3;

const FAILURES: Partial<Record<RefundStatus, { code: string; message: string }>> = {
  FAILED: { code: "NOT_ENOUGH", message: "基本账户余额不足，请充值后重新发起" },
};

/**
 * Fill an empty database with one demo merchant, a few hundred paid orders over the last months, and refunds in
 * every status with their timelines. Does nothing when a merchant already exists.
 */
export async function seedDemoData(db: Db, now = new Date()): Promise<{ seeded: boolean; orders: number }> {
  return db.transaction(async (tx) => {
    const [{ count } = { count: 0 }] = await tx.select({ count: sql<number>`count(*)::int` }).from(merchants);
    if (count > 0) return { seeded: false, orders: 0 };
    const [merchant] = await tx
      .insert(merchants)
      .values({ ...DEMO_MERCHANT, credentialsRef: "env" })
      .returning({ id: merchants.id });
    if (!merchant) throw new Error("demo merchant not created");

    const random = mulberry32(7);
    const planned = demoOrders(now).map((order) => ({ order, refunds: planRefunds(order, random) }));
    // A few large refunds of recent orders wait for an approver, so the approvals queue has something to show.
    planned
      .filter(({ order, refunds: rs }) => rs.length === 0 && order.totalFen > 100_000)
      .slice(-AWAITING_APPROVAL_DEMOS)
      .forEach((p) => p.refunds.push({ status: "AWAITING_APPROVAL", amountFen: Math.floor(p.order.totalFen * 0.6) }));
    const inserted = await tx
      .insert(orders)
      .values(
        planned.map(({ order, refunds: rs }) => ({
          merchantId: merchant.id,
          outTradeNo: order.outTradeNo,
          transactionId: order.transactionId,
          description: order.description,
          payerOpenid: order.payerOpenid,
          totalFen: order.totalFen,
          paidAt: order.paidAt,
          ...sumRefunds(rs),
        })),
      )
      .returning({ id: orders.id, outTradeNo: orders.outTradeNo });
    const idByTradeNo = new Map(inserted.map((o) => [o.outTradeNo, o.id]));

    let sequence = 0;
    for (const { order, refunds: rs } of planned) {
      for (const plan of rs) {
        sequence += 1;
        const createdAt = new Date(
          Math.min(now.getTime() - 60_000, order.paidAt.getTime() + 86_400_000 * (1 + (sequence % 5))),
        );
        const sent = plan.status !== "AWAITING_APPROVAL";
        const accepted = sent && plan.status !== "PENDING" && plan.status !== "FAILED";
        const final = plan.status === "SUCCESS" || plan.status === "CLOSED";
        const failure = FAILURES[plan.status];
        const [refund] = await tx
          .insert(refunds)
          .values({
            orderId: idByTradeNo.get(order.outTradeNo) ?? 0,
            merchantId: merchant.id,
            outRefundNo: `RDEMO${String(sequence).padStart(6, "0")}`,
            refundId: accepted ? `50300${String(1e12 + sequence * 7919)}` : null,
            amountFen: plan.amountFen,
            reason: "Customer request 顾客申请退款",
            status: plan.status,
            channel: accepted ? "ORIGINAL" : null,
            userReceivedAccount: accepted ? "支付用户零钱" : null,
            createdAt,
            updatedAt: createdAt,
            submittedAt: plan.status === "PENDING" || !sent ? null : createdAt,
            finishedAt: final ? new Date(createdAt.getTime() + 90_000) : null,
            lastErrorCode: failure?.code ?? null,
            lastErrorMessage: failure?.message ?? null,
            attemptCount: plan.status === "PENDING" || !sent ? 0 : 1,
          })
          .returning({ id: refunds.id });
        if (!refund) continue;
        const events: (typeof refundEvents.$inferInsert)[] = [
          {
            refundId: refund.id,
            at: createdAt,
            type: "requested",
            source: "system",
            statusTo: sent ? "PENDING" : "AWAITING_APPROVAL",
            payload: { seed: true },
          },
        ];
        if (failure) {
          events.push({
            refundId: refund.id,
            at: new Date(createdAt.getTime() + 2_000),
            type: "rejected",
            source: "gateway",
            statusFrom: "PENDING",
            statusTo: "FAILED",
            payload: failure,
          });
        } else if (accepted) {
          events.push({
            refundId: refund.id,
            at: new Date(createdAt.getTime() + 1_000),
            type: "accepted",
            source: "gateway",
            statusFrom: "PENDING",
            statusTo: "PROCESSING",
            payload: {},
          });
          if (plan.status !== "PROCESSING") {
            events.push({
              refundId: refund.id,
              at: new Date(createdAt.getTime() + 90_000),
              type: "notified",
              source: "notify",
              statusFrom: "PROCESSING",
              statusTo: plan.status,
              payload: { refund_status: plan.status },
            });
          }
        }
        await tx.insert(refundEvents).values(events);
      }
    }
    return { seeded: true, orders: inserted.length };
  });
}
