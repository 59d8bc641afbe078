import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import {
  listAwaitingApproval,
  listBatchesAwaitingApproval,
  type AwaitingApprovalRow,
  type BatchAwaitingApprovalRow,
} from "@/lib/db/queries/approvals";
import { formatFen } from "@/lib/money";
import { listBankCardApplicationsAwaiting, type BankCardApplicationRow } from "@/lib/refunds/bank-card-applications";
import { DecisionButtons } from "./decision-buttons";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("approvals"))("title") };
}

/**
 * The maker-checker queue: refunds above their merchant's threshold and bulk batches, waiting for an approver.
 * Everyone may look; approvers decide, never on what they requested themselves.
 */
export default async function ApprovalsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const user = await requirePageUser();
  const params = await searchParams;
  const db = getDb();
  const [{ rows: refunds, nextCursor }, batches, cards, t, format] = await Promise.all([
    listAwaitingApproval(db, user.merchantId, params.after),
    listBatchesAwaitingApproval(db, user.merchantId),
    listBankCardApplicationsAwaiting(db, user.merchantId),
    getTranslations("approvals"),
    getFormatter(),
  ]);
  const now = new Date();
  const mayApprove = can(user.role, "approveRefund");
  const mine = refunds.filter((r) => r.requestedBy === user.id).length;

  const refundColumns: Column<AwaitingApprovalRow>[] = [
    {
      header: t("columns.order"),
      cell: (r) => (
        <div>
          <Link href={`/orders/${r.orderId}`} className="font-mono text-xs text-brand-700 hover:underline">
            {r.outTradeNo}
          </Link>
          <div className="text-xs text-slate-500">{r.merchantName}</div>
        </div>
      ),
    },
    {
      header: t("columns.refund"),
      cell: (r) => (
        <Link
          href={`/refunds/${encodeURIComponent(r.outRefundNo)}`}
          className="font-mono text-xs text-brand-700 hover:underline"
        >
          {r.outRefundNo}
        </Link>
      ),
    },
    {
      header: t("columns.amount"),
      align: "right",
      cell: (r) => (
        <div>
          <Money fen={r.amountFen} className="font-semibold" />
          <div className="text-xs text-slate-500">{t("ofTotal", { total: formatFen(r.orderTotalFen) })}</div>
        </div>
      ),
    },
    {
      header: t("columns.requester"),
      cell: (r) =>
        r.requestedBy === user.id ? (
          <span className="rounded bg-violet-100 px-1.5 py-0.5 text-xs font-medium text-violet-800">{t("you")}</span>
        ) : (
          (r.requesterName ?? <span className="text-slate-500">{t("system")}</span>)
        ),
    },
    {
      header: t("columns.age"),
      cell: (r) => <span title={r.createdAt.toISOString()}>{format.relativeTime(r.createdAt, now)}</span>,
    },
    {
      header: t("columns.reason"),
      cell: (r) => <span className="line-clamp-2 max-w-56 text-slate-600">{r.reason}</span>,
    },
    {
      header: t("columns.decision"),
      align: "right",
      cell: (r) =>
        r.requestedBy === user.id ? (
          <span className="text-sm text-violet-800" data-testid="waiting-for-other">
            {t("waitingForOther")}
          </span>
        ) : mayApprove ? (
          <DecisionButtons outRefundNo={r.outRefundNo} amount={formatFen(r.amountFen)} />
        ) : (
          <span className="text-sm text-slate-500">{t("waitingForApprover")}</span>
        ),
    },
  ];

  const batchColumns: Column<BatchAwaitingApprovalRow>[] = [
    {
      header: t("batches.columns.file"),
      cell: (b) => (
        <Link href={`/refunds/bulk/${b.id}`} className="text-brand-700 hover:underline">
          {b.fileName}
        </Link>
      ),
    },
    { header: t("batches.columns.merchant"), cell: (b) => b.merchantName },
    {
      header: t("batches.columns.rows"),
      align: "right",
      cell: (b) => <span className="tabular-nums">{b.validRows}</span>,
    },
    {
      header: t("batches.columns.amount"),
      align: "right",
      cell: (b) => <Money fen={b.validAmountFen} className="font-semibold" />,
    },
    { header: t("batches.columns.createdBy"), cell: (b) => (b.createdBy === user.id ? t("you") : b.creatorName) },
    { header: t("columns.age"), cell: (b) => format.relativeTime(b.confirmedAt ?? b.createdAt, now) },
  ];

  const cardColumns: Column<BankCardApplicationRow>[] = [
    {
      header: t("columns.refund"),
      cell: (c) => (
        <Link
          href={`/refunds/${encodeURIComponent(c.outRefundNo)}`}
          className="font-mono text-xs text-brand-700 hover:underline"
        >
          {c.outRefundNo}
        </Link>
      ),
    },
    { header: t("columns.amount"), align: "right", cell: (c) => <Money fen={c.amountFen} /> },
    { header: t("cards.account"), cell: (c) => <span className="font-mono text-xs">{c.maskedAccount}</span> },
    { header: t("cards.enteredBy"), cell: (c) => (c.enteredBy === user.id ? t("you") : c.enteredByName) },
    { header: t("columns.age"), cell: (c) => format.relativeTime(c.enteredAt, now) },
  ];

  return (
    <>
      <PageHeader title={t("title")} subtitle={mayApprove ? t("subtitleApprover") : t("subtitleReadOnly")} />
      {mine > 0 && (
        <p
          className="mb-4 rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-sm text-violet-900"
          data-testid="own-waiting"
        >
          {t("ownWaiting", { count: mine })}
        </p>
      )}
      <section aria-labelledby="approval-refunds" className="mb-8">
        <h2 id="approval-refunds" className="mb-2 text-sm font-semibold text-slate-900">
          {t("refundsHeading")} <span className="font-normal text-slate-500">({refunds.length})</span>
        </h2>
        <DataTable
          columns={refundColumns}
          rows={refunds}
          rowKey={(r) => r.id}
          rowClassName={(r) => (r.requestedBy === user.id ? "bg-violet-50/60" : undefined)}
          empty={t("emptyRefunds")}
        />
        <Pager path="/approvals" params={params} nextCursor={nextCursor} />
      </section>
      <section aria-labelledby="approval-batches">
        <h2 id="approval-batches" className="mb-2 text-sm font-semibold text-slate-900">
          {t("batches.heading")} <span className="font-normal text-slate-500">({batches.length})</span>
        </h2>
        <DataTable columns={batchColumns} rows={batches} rowKey={(b) => b.id} empty={t("batches.empty")} />
      </section>
      <section aria-labelledby="approval-cards" className="mt-8">
        <h2 id="approval-cards" className="mb-2 text-sm font-semibold text-slate-900">
          {t("cards.heading")} <span className="font-normal text-slate-500">({cards.length})</span>
        </h2>
        <DataTable columns={cardColumns} rows={cards} rowKey={(c) => c.id} empty={t("cards.empty")} />
      </section>
    </>
  );
}
