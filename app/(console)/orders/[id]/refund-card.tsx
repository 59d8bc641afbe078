import Link from "next/link";
import { useTranslations } from "next-intl";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import { DateTime } from "@/components/date-time";
import { Detail } from "@/components/detail-list";
import { Money } from "@/components/money";
import { RefundFacts } from "@/components/refund-facts";
import { RefundTimeline } from "@/components/refund-timeline";
import { RefundStatusBadge } from "@/components/status-badge";
import type { OrderRefundRow, RefundEventRow } from "@/lib/db/queries/refunds";

/** Who decided on a refund that needed approval, as its timeline records it. */
function decision(events: readonly RefundEventRow[]) {
  const event = events.find((e) => e.statusFrom === "AWAITING_APPROVAL");
  if (!event) return null;
  return {
    approved: event.statusTo !== "REJECTED",
    name: event.actorName,
    note: typeof event.payload.note === "string" ? event.payload.note : null,
  };
}

/** Who must act on a refund that waits: any approver but the one who asked for it. */
function AwaitingApprovalNote({
  refund,
  viewerId,
  viewerMayApprove,
}: {
  refund: OrderRefundRow;
  viewerId: string;
  viewerMayApprove: boolean;
}) {
  const t = useTranslations("orders.refund");
  const own = refund.requestedBy === viewerId;
  return (
    <p
      className="mb-3 rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-sm text-violet-900"
      data-testid="awaiting-approval"
    >
      {refund.requesterName ? t("awaitingApprover", { requester: refund.requesterName }) : t("awaitingAnyApprover")}{" "}
      {own ? (
        t("awaitingOwn")
      ) : viewerMayApprove ? (
        <Link href="/approvals" className="font-medium underline">
          {t("decideOnApprovals")}
        </Link>
      ) : null}
    </p>
  );
}

/** One refund of the order: its facts, its last error, and how it got where it is. */
export function RefundCard({
  refund,
  events,
  viewerId,
  viewerMayApprove,
}: {
  refund: OrderRefundRow;
  events: readonly RefundEventRow[];
  viewerId: string;
  viewerMayApprove: boolean;
}) {
  const t = useTranslations("orders.refund");
  const abnormal = refund.status === "ABNORMAL";
  // Made in WeChat Pay's merchant platform and found at WeChat: counted here, never sent or retried by the console.
  const external = refund.origin === "external";
  const decided = decision(events);
  return (
    <article className={`rounded-lg border bg-white p-4 ${abnormal ? "border-red-300" : "border-slate-200"}`}>
      <header className="mb-3 flex flex-wrap items-center gap-3">
        <Money fen={refund.amountFen} className="text-base font-semibold" />
        <RefundStatusBadge status={refund.status} />
        <Link
          href={`/refunds/${encodeURIComponent(refund.outRefundNo)}`}
          className="font-mono text-xs text-brand-700 hover:underline"
        >
          {refund.outRefundNo}
        </Link>
        <span className="ml-auto text-xs text-slate-500">
          {external ? t("foundAt") : t("requestedAt")} <DateTime value={refund.createdAt} />
        </span>
      </header>
      {external && (
        <p
          className="mb-3 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900"
          data-testid="external-refund"
        >
          {t("external")}
        </p>
      )}
      {abnormal && <AbnormalRefundNote className="mb-3" />}
      {refund.status === "AWAITING_APPROVAL" && (
        <AwaitingApprovalNote refund={refund} viewerId={viewerId} viewerMayApprove={viewerMayApprove} />
      )}
      <RefundFacts refund={refund} people={refund} className="mb-4">
        {decided && <Detail label={decided.approved ? t("approvedBy") : t("rejectedBy")}>{decided.name}</Detail>}
        {decided?.note && (
          <Detail label={t("rejectionNote")} wide>
            {decided.note}
          </Detail>
        )}
      </RefundFacts>
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">{t("timeline")}</h3>
      <RefundTimeline events={events} />
    </article>
  );
}
