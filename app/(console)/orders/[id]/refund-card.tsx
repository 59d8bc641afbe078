import Link from "next/link";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { RefundTimeline } from "@/components/refund-timeline";
import { RefundStatusBadge } from "@/components/status-badge";
import type { OrderRefundRow, RefundEventRow } from "@/lib/db/queries/refunds";

/** One refund of the order: its facts, its last error, and how it got where it is. */
export function RefundCard({ refund, events }: { refund: OrderRefundRow; events: readonly RefundEventRow[] }) {
  const abnormal = refund.status === "ABNORMAL";
  return (
    <article className={`rounded-lg border bg-white p-4 ${abnormal ? "border-red-300" : "border-slate-200"}`}>
      <header className="mb-3 flex flex-wrap items-center gap-3">
        <Money fen={refund.amountFen} className="text-base font-semibold" />
        <RefundStatusBadge status={refund.status} />
        <Link href={`/refunds/${encodeURIComponent(refund.outRefundNo)}`} className="font-mono text-xs text-brand-700 hover:underline">
          {refund.outRefundNo}
        </Link>
        <span className="ml-auto text-xs text-slate-500">
          Requested <DateTime value={refund.createdAt} />
        </span>
      </header>
      {abnormal && <AbnormalRefundNote className="mb-3" />}
      <DetailList className="mb-4">
        <Detail label="WeChat refund ID" mono>
          {refund.refundId}
        </Detail>
        <Detail label="Requested by">{refund.requesterName && `${refund.requesterName} (${refund.requesterEmail})`}</Detail>
        <Detail label="Reason" wide>
          {refund.reason}
        </Detail>
        {refund.lastErrorCode && (
          <Detail label="Last error" wide>
            <span className="text-red-700">
              <span className="font-mono text-xs">{refund.lastErrorCode}</span> {refund.lastErrorMessage}
            </span>
          </Detail>
        )}
      </DetailList>
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Timeline</h3>
      <RefundTimeline events={events} />
    </article>
  );
}
