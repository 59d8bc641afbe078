import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { merchants, orders, userMerchants } from "../db/schema";
import { DEMO_MERCHANT, type DemoOrder } from "./demo-seed";

/**
 * The demo's APIv2 merchant: refunds go over mutual TLS with a generated `apiclient_cert.p12`, and callbacks come as
 * XML with an encrypted `req_info`. Its keys are stored as an uploaded merchant's are (`credentials_ref = 'db'`),
 * because the deployment-wide WECHATPAY_* variables already belong to the APIv3 demo merchant.
 */
export const DEMO_V2_MERCHANT = {
  mchid: "1900000110",
  // WeChat's documentation example AppID, like the APIv3 demo's.
  appid: "wx2421b1c4370ec43b",
  displayName: "演示商户 APIv2 / Demo merchant (APIv2)",
} as const;

const PRODUCTS = ["Tea 茶 ×2", "Matcha latte 抹茶拿铁", "Teapot 茶壶", "Tea leaves 茶叶 250g", "Gift box 礼盒"];
const ORDERS = 24;

/**
 * A few paid orders over the last three weeks, all under the default approval threshold (¥1,000) so an operator's
 * refund goes straight out. Deterministic apart from `now`, so the numbers look the same in every fresh demo.
 */
export function demoV2Orders(now = new Date()): DemoOrder[] {
  return Array.from({ length: ORDERS }, (_, i) => {
    const paidAt = new Date(now.getTime() - (i * 21 * 86_400_000) / ORDERS - 2 * 3_600_000);
    const day = paidAt.toISOString().slice(0, 10).replaceAll("-", "");
    return {
      outTradeNo: `DEMOV2${day}${String(i + 1).padStart(4, "0")}`,
      transactionId: `42001${day}${String(1_000_000_000 + i * 7_919).padStart(10, "0")}${String(i).padStart(3, "0")}`,
      totalFen: 1_000 + ((i * 3_917) % 50_000),
      paidAt,
      description: PRODUCTS[i % PRODUCTS.length] ?? "Order",
      payerOpenid: `oDemoV2${String(i % 7).padStart(2, "0")}Payer`,
    };
  });
}

/**
 * Adds the APIv2 demo merchant and its orders to a demo database: one that holds the APIv3 demo merchant (seeded
 * now or by an earlier version) and not yet this one. Anything else (a real deployment's database, a second start)
 * is left alone. The APIv3 demo merchant's people work for it too, in the same roles. Its credentials are added once
 * the simulator has made them (demo-v2-credentials.ts).
 */
export async function seedDemoV2Merchant(db: Db, now = new Date()): Promise<{ seeded: boolean; orders: number }> {
  return db.transaction(async (tx) => {
    const [demo] = await tx
      .select({ id: merchants.id })
      .from(merchants)
      .where(eq(merchants.mchid, DEMO_MERCHANT.mchid));
    if (!demo) return { seeded: false, orders: 0 };
    // A concurrent start inserting the same merchant makes this one do nothing, by the (mchid, sub_mchid) key.
    const [merchant] = await tx
      .insert(merchants)
      .values({ ...DEMO_V2_MERCHANT, apiVersion: "v2", credentialsRef: "db" })
      .onConflictDoNothing()
      .returning({ id: merchants.id });
    if (!merchant) return { seeded: false, orders: 0 };
    const inserted = await tx
      .insert(orders)
      .values(demoV2Orders(now).map((order) => ({ ...order, merchantId: merchant.id })))
      .returning({ id: orders.id });
    const members = await tx
      .select({ userId: userMerchants.userId, role: userMerchants.role })
      .from(userMerchants)
      .where(eq(userMerchants.merchantId, demo.id));
    if (members.length > 0) {
      await tx.insert(userMerchants).values(members.map((m) => ({ ...m, merchantId: merchant.id })));
    }
    return { seeded: true, orders: inserted.length };
  });
}
