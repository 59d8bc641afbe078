import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getMessageText } from "@/app/_server/message-text";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { OrderTotals } from "@/components/order-totals";
import { PageHeader } from "@/components/page-header";
import { OrderStateBadge } from "@/components/status-badge";
import { LiveRefresh } from "@/components/live-refresh";
import { Money } from "@/components/money";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { orderRefundsVersion } from "@/lib/db/queries/live";
import { listActiveReasons } from "@/lib/refunds/reasons";
import { checkMerchantActive } from "@/lib/refunds/merchant-active";
import { RefundForm } from "./refund-form";
import { getDb } from "@/lib/db/client";
import { maskOpenid } from "@/lib/evidence/redact";
import { getOrderDetail } from "@/lib/db/queries/orders";
import { listOrderRefunds, listRefundEvents } from "@/lib/db/queries/refunds";
import { RefundCard } from "./refund-card";
import { checkNewRefund, remainingFen } from "@/lib/refunds/policy";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("orders.detail"))("metaTitle") };
}

/** Order ids are positive bigint identities; anything else in the URL is a page that does not exist. */
function parseOrderId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

export default async function OrderPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ refunds?: string }>;
}) {
  const user = await requirePageUser();
  const id = parseOrderId((await params).id);
  if (id === null) notFound();
  const db = getDb();
  const [order, refunds] = await Promise.all([
    getOrderDetail(db, user.merchantId, id),
    listOrderRefunds(db, user.merchantId, id),
  ]);
  if (!order) notFound();
  const mayRefund = can(user.role, "requestRefund");
  const [events, live, reasons] = await Promise.all([
    listRefundEvents(
      db,
      refunds.map((r) => r.id),
    ),
    orderRefundsVersion(db, user.merchantId, id),
    mayRefund ? listActiveReasons(db) : [],
  ]);
  if (!live) notFound();
  const [t, messageText] = await Promise.all([getTranslations("orders.detail"), getMessageText()]);
  const remaining = remainingFen(order);
  // The same checks the service makes under the lock, asked here only to explain why the form is closed.
  const open = checkMerchantActive(order.merchantActive);
  const blocked = open.ok ? checkNewRefund(order, Math.max(1, remaining), new Date()) : open;

  return (
    <>
      <PageHeader
        title={t("title", { outTradeNo: order.outTradeNo })}
        subtitle={order.description || undefined}
        actions={
          <Link href="/orders" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            {t("back")}
          </Link>
        }
      />
      {(await searchParams).refunds === "unlisted" && (
        <p
          role="status"
          className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
          data-testid="refunds-unlisted"
        >
          {t("refundsUnlisted")}
        </p>
      )}
      <section aria-labelledby="order-facts" className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="order-facts" className="sr-only">
          {t("facts")}
        </h2>
        <DetailList>
          <Detail label={t("outTradeNo")} mono>
            {order.outTradeNo}
          </Detail>
          <Detail label={t("transactionId")} mono>
            {order.transactionId}
          </Detail>
          <Detail label={t("merchant")}>
            {order.merchantName}{" "}
            <span className="font-mono text-xs text-slate-500">
              {order.mchid}
              {order.subMchid && ` / ${order.subMchid}`}
            </span>
          </Detail>
          <Detail label={t("paidAt")}>
            <DateTime value={order.paidAt} />
          </Detail>
          <Detail label={t("description")} wide>
            {order.description}
          </Detail>
          {order.source === "wechat_query" && (
            <Detail label={t("source")} wide>
              <span data-testid="order-source">{t("importedFromWechat")}</span>
              {order.checkedAt && (
                <span className="ml-2 text-xs text-slate-500">
                  {t("checkedAt")} <DateTime value={order.checkedAt} />
                </span>
              )}
            </Detail>
          )}
          {order.payerTotalFen !== null && (
            <Detail label={t("payerTotal")}>
              <Money fen={order.payerTotalFen} />
            </Detail>
          )}
          {order.attach && (
            <Detail label={t("attach")} mono>
              {order.attach}
            </Detail>
          )}
          <Detail label={t("payerOpenid")} mono>
            {order.payerOpenid && !can(user.role, "seePersonalData")
              ? maskOpenid(order.payerOpenid)
              : order.payerOpenid}
          </Detail>
          <Detail label={t("refundState")}>
            <OrderStateBadge state={order.state} />
          </Detail>
        </DetailList>
        <OrderTotals order={order} now={new Date()} />
      </section>

      {mayRefund && (
        <section aria-labelledby="refund-form" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="refund-form" className="mb-3 text-sm font-semibold text-slate-900">
            {t("newRefund")}
          </h2>
          {blocked.ok ? (
            <RefundForm
              orderId={order.id}
              remainingFen={remaining}
              reasons={reasons.map((r) => r.label)}
              sums={{ refundedFen: order.refundedFen, inFlightFen: order.inFlightFen }}
              thresholdFen={order.approvalThresholdFen}
            />
          ) : (
            <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="refund-form-disabled">
              {t("refundsClosed", { why: messageText(blocked.error.message) })}
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="order-refunds">
        <h2 id="order-refunds" className="mb-3 flex items-center gap-3 text-sm font-semibold text-slate-900">
          <span>
            {t("refunds")} <span className="font-normal text-slate-500">({refunds.length})</span>
          </span>
          <LiveRefresh url={`/api/orders/${order.id}/refund-status`} initial={live} />
        </h2>
        {refunds.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-500">
            {t("noRefunds")}
          </p>
        ) : (
          <div className="space-y-3">
            {refunds.map((r) => (
              <RefundCard
                key={r.id}
                refund={r}
                events={events.get(r.id) ?? []}
                viewerId={user.id}
                viewerMayApprove={can(user.role, "approveRefund")}
              />
            ))}
          </div>
        )}
      </section>
    </>
  );
}
