import { and, eq } from "drizzle-orm";
import type { Database, Transaction } from "../db/client";
import { orders, type EventSource, type Order } from "../db/schema";
import { log } from "../log";
import { recordExternalRefunds, type ExternalRefundsOutcome } from "../refunds/external";
import type { GatewayRefundRecord, RefundGateway } from "../refunds/gateway";
import type { GatewayResolver } from "../refunds/submit";

/**
 * What WeChat listed for an order, recorded: refunds the console never made become external refunds, and the order
 * is marked as checked now. `listed` is null where the protocol cannot list refunds (APIv3).
 */
export async function recordWechatRefunds(
  tx: Transaction,
  order: Order,
  listed: readonly GatewayRefundRecord[] | null,
  context: { source: EventSource; now: Date },
): Promise<ExternalRefundsOutcome> {
  const outcome = listed
    ? await recordExternalRefunds(tx, order, listed, context)
    : { recorded: [], moved: [], skipped: [] };
  await tx.update(orders).set({ checkedAt: context.now }).where(eq(orders.id, order.id));
  return outcome;
}

export type RecheckOutcome = "fresh" | "not_imported" | "checked" | "unavailable";

/**
 * Before a console refund of an order imported from WeChat Pay: when the console last confirmed the order longer ago
 * than `maxAgeMs`, it asks WeChat again for the order's refunds and records those made in the merchant platform
 * meanwhile, so that the refund's checks (lib/refunds/rules) see the true remaining and a refund beyond it is refused
 * here, before WeChat. When WeChat cannot be asked, the refund goes on: WeChat itself refuses one beyond what
 * remains, and the re-check is tried again next time.
 */
export async function recheckBeforeRefund(
  db: Database,
  resolveGateway: GatewayResolver,
  input: { merchantId: string; orderId: number },
  context: { maxAgeMs: number; now?: Date },
): Promise<RecheckOutcome> {
  const now = context.now ?? new Date();
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, input.orderId), eq(orders.merchantId, input.merchantId)));
  if (!order || order.source === "shop") return "not_imported";
  if (order.checkedAt && now.getTime() - order.checkedAt.getTime() < context.maxAgeMs) return "fresh";
  const gateway = await resolveGateway(input.merchantId);
  const listed = gateway.ok ? await listRefundsOf(gateway.value, order) : gateway;
  if (!listed.ok) {
    log.warn({ orderId: order.id, code: listed.error.code }, "could not re-check an imported order at WeChat Pay");
    return "unavailable";
  }
  await db.transaction(async (tx) => {
    const [locked] = await tx.select().from(orders).where(eq(orders.id, order.id)).for("update");
    await recordWechatRefunds(tx, locked!, listed.value, { source: "gateway", now });
  });
  return "checked";
}

/**
 * The refunds of the payment, and that it is still a paid payment of this merchant: APIv3, which lists no refunds,
 * confirms the payment only.
 */
async function listRefundsOf(gateway: RefundGateway, order: Order) {
  const listed = await gateway.listRefunds(order.transactionId);
  if (!listed.ok || listed.value !== null) return listed;
  const confirmed = await gateway.queryTransaction({ transactionId: order.transactionId });
  return confirmed.ok ? listed : confirmed;
}
