import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { OrderTotals } from "@/components/order-totals";
import { PageHeader } from "@/components/page-header";
import { OrderStateBadge } from "@/components/status-badge";
import { LiveRefresh } from "@/components/live-refresh";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { orderRefundsVersion } from "@/lib/db/queries/live";
import { REFUND_REASONS } from "@/lib/refunds/reasons";
import { checkNewRefund } from "@/lib/refunds/rules";
import { RefundForm } from "./refund-form";
import { getDb } from "@/lib/db/client";
import { getOrderDetail } from "@/lib/db/queries/orders";
import { listOrderRefunds, listRefundEvents } from "@/lib/db/queries/refunds";
import { RefundCard } from "./refund-card";

export const metadata: Metadata = { title: "Order" };

/** Order ids are positive bigint identities; anything else in the URL is a page that does not exist. */
function parseOrderId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const id = parseOrderId((await params).id);
  if (id === null) notFound();
  const db = getDb();
  const [order, refunds] = await Promise.all([getOrderDetail(db, id), listOrderRefunds(db, id)]);
  if (!order) notFound();
  const [events, live] = await Promise.all([listRefundEvents(db, refunds.map((r) => r.id)), orderRefundsVersion(db, id)]);
  const remaining = order.totalFen - order.refundedFen - order.inFlightFen;
  // The same rules the service enforces under the lock, asked here only to explain why the form is closed.
  const blocked = checkNewRefund(order, Math.max(1, remaining), new Date());

  return (
    <>
      <PageHeader
        title={`Order ${order.outTradeNo}`}
        subtitle={order.description || undefined}
        actions={
          <Link href="/orders" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            ← All orders
          </Link>
        }
      />
      <section aria-labelledby="order-facts" className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="order-facts" className="sr-only">
          Order details
        </h2>
        <DetailList>
          <Detail label="Order no. (out_trade_no)" mono>
            {order.outTradeNo}
          </Detail>
          <Detail label="WeChat transaction ID" mono>
            {order.transactionId}
          </Detail>
          <Detail label="Merchant">
            {order.merchantName}{" "}
            <span className="font-mono text-xs text-slate-500">
              {order.mchid}
              {order.subMchid && ` / ${order.subMchid}`}
            </span>
          </Detail>
          <Detail label="Paid at">
            <DateTime value={order.paidAt} />
          </Detail>
          <Detail label="Description" wide>
            {order.description}
          </Detail>
          <Detail label="Payer openid" mono>
            {order.payerOpenid}
          </Detail>
          <Detail label="Refund state">
            <OrderStateBadge state={order.state} />
          </Detail>
        </DetailList>
        <OrderTotals order={order} now={new Date()} />
      </section>

      {can(user.role, "requestRefund") && (
        <section aria-labelledby="refund-form" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="refund-form" className="mb-3 text-sm font-semibold text-slate-900">
            New refund
          </h2>
          {blocked.ok ? (
            <RefundForm orderId={order.id} remainingFen={remaining} reasons={REFUND_REASONS} />
          ) : (
            <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="refund-form-disabled">
              Refunds are closed for this order: {blocked.error.message.en}
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="order-refunds">
        <h2 id="order-refunds" className="mb-3 flex items-center gap-3 text-sm font-semibold text-slate-900">
          <span>
            Refunds <span className="font-normal text-slate-500">({refunds.length})</span>
          </span>
          <LiveRefresh url={`/api/orders/${order.id}/refund-status`} initial={live} />
        </h2>
        {refunds.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-500">
            No refunds for this order yet.
          </p>
        ) : (
          <div className="space-y-3">
            {refunds.map((r) => (
              <RefundCard key={r.id} refund={r} events={events.get(r.id) ?? []} />
            ))}
          </div>
        )}
      </section>
    </>
  );
}
