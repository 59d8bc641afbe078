import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { OrderTotals } from "@/components/order-totals";
import { PageHeader } from "@/components/page-header";
import { RefundTimeline } from "@/components/refund-timeline";
import { RefundStatusBadge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { describeCode } from "@/lib/wechatpay/errors";
import { RetryButton } from "./retry-button";
import { getDb } from "@/lib/db/client";
import { getRefundDetail, listRefundEvents } from "@/lib/db/queries/refunds";
import { OUT_REFUND_NO_PATTERN } from "@/lib/refunds/out-refund-no";

export const metadata: Metadata = { title: "Refund" };

/** A person, as the refund records them; null when no user is linked (a refund started by the system). */
function person(name: string | null, email: string | null): string | null {
  return name ? `${name} (${email})` : null;
}

/** out_refund_no may hold `|`, `*` and `@`, which links percent-encode; a malformed number cannot exist, so it is a 404. */
function parseOutRefundNo(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return OUT_REFUND_NO_PATTERN.test(decoded) ? decoded : null;
}

export default async function RefundPage({ params }: { params: Promise<{ outRefundNo: string }> }) {
  const user = await requirePageUser();
  const outRefundNo = parseOutRefundNo((await params).outRefundNo);
  if (outRefundNo === null) notFound();
  const db = getDb();
  const detail = await getRefundDetail(db, outRefundNo);
  if (!detail) notFound();
  const { refund, order } = detail;
  const events = (await listRefundEvents(db, [refund.id])).get(refund.id) ?? [];

  return (
    <>
      <PageHeader
        title={`Refund ${refund.outRefundNo}`}
        subtitle={<>Of order {order.outTradeNo} · {detail.merchantName}</>}
        actions={
          <Link href="/refunds" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            ← All refunds
          </Link>
        }
      />
      {refund.status === "ABNORMAL" && <AbnormalRefundNote className="mb-4" />}
      {can(user.role, "requestRefund") && retryExplanation(refund) && (
        <section aria-label="Retry" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-3">
          <RetryButton outRefundNo={refund.outRefundNo} explanation={retryExplanation(refund) ?? ""} />
        </section>
      )}
      <section aria-labelledby="refund-facts" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="refund-facts" className="mb-3 flex flex-wrap items-center gap-3">
          <Money fen={refund.amountFen} className="text-lg font-semibold" />
          <RefundStatusBadge status={refund.status} />
        </h2>
        <DetailList>
          <Detail label="Refund no. (out_refund_no)" mono>
            {refund.outRefundNo}
          </Detail>
          <Detail label="WeChat refund ID" mono>
            {refund.refundId}
          </Detail>
          <Detail label="Reason" wide>
            {refund.reason}
          </Detail>
          <Detail label="Requested by">{person(detail.requesterName, detail.requesterEmail)}</Detail>
          <Detail label="Approved by">{person(detail.approverName, detail.approverEmail)}</Detail>
          <Detail label="Created at">
            <DateTime value={refund.createdAt} />
          </Detail>
          <Detail label="Scheduled for">
            <DateTime value={refund.scheduledAt} />
          </Detail>
          <Detail label="Submitted to WeChat at">
            <DateTime value={refund.submittedAt} />
          </Detail>
          <Detail label="Finished at">
            <DateTime value={refund.finishedAt} />
          </Detail>
          <Detail label="Last updated at">
            <DateTime value={refund.updatedAt} />
          </Detail>
          <Detail label="Attempts">
            <span className="tabular-nums">{refund.attemptCount}</span>
            {refund.outcomeUnknown && (
              <span className="ml-2 text-xs text-amber-800" title="The last request may have reached WeChat without an answer">
                last outcome unknown: WeChat is queried before any resend
              </span>
            )}
          </Detail>
          <Detail label="Channel" mono>
            {refund.channel}
          </Detail>
          <Detail label="Received into">{refund.userReceivedAccount}</Detail>
          <Detail label="Funds account" mono>
            {refund.fundsAccount}
          </Detail>
          {refund.lastErrorCode && (
            <Detail label="Last error" wide>
              <span className="text-red-700">
                <span className="font-mono text-xs">{refund.lastErrorCode}</span> {refund.lastErrorMessage}
              </span>
            </Detail>
          )}
        </DetailList>
      </section>

      <section aria-labelledby="refund-order" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="refund-order" className="mb-3 flex flex-wrap items-baseline gap-x-3 text-sm font-semibold text-slate-900">
          Order
          <Link href={`/orders/${order.id}`} className="font-mono text-xs font-normal text-brand-700 hover:underline">
            {order.outTradeNo}
          </Link>
          <span className="text-xs font-normal text-slate-500">
            {order.description} · paid <DateTime value={order.paidAt} />
          </span>
        </h2>
        <OrderTotals order={order} now={new Date()} />
      </section>

      <section aria-labelledby="refund-timeline" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="refund-timeline" className="mb-3 text-sm font-semibold text-slate-900">
          Timeline
        </h2>
        <RefundTimeline events={events} />
      </section>
    </>
  );
}

/** Why a retry is offered, or null when it is not: failed refunds, and pending ones waiting for a back-off. */
function retryExplanation(refund: { status: string; lastErrorCode: string | null }): string | null {
  if (refund.status === "FAILED") {
    return refund.lastErrorCode ? describeCode(refund.lastErrorCode).message.en : "WeChat Pay refused this refund.";
  }
  if (refund.status === "PENDING" && refund.lastErrorCode) {
    return `Waiting to retry after ${refund.lastErrorCode}; you can send it now.`;
  }
  return null;
}
