import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Download } from "lucide-react";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { RefundStatusBadge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { mayControl } from "@/lib/bulk/lifecycle";
import { batchProgress, getBatch, listBatchRows, type BatchRowView } from "@/lib/bulk/queries";
import { getDb } from "@/lib/db/client";
import { MessageText } from "@/components/message-text";
import { formatFen } from "@/lib/money";
import { BatchStatusBadge, RowStatusBadge } from "../badges";
import { BatchActionButton, DecisionForm } from "./batch-actions";
import { BatchProgress } from "./batch-progress";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("bulk.batch"))("metaTitle") };
}

type Translate = Awaited<ReturnType<typeof getTranslations<"bulk.rows">>>;

function rowColumns(t: Translate): Column<BatchRowView>[] {
  return [
    {
      header: t("columns.line"),
      align: "right",
      cell: ({ row }) => <span className="tabular-nums text-slate-500">{row.lineNo}</span>,
    },
    {
      header: t("columns.outTradeNo"),
      cell: ({ row }) =>
        row.orderId ? (
          <Link
            href={`/orders/${row.orderId}`}
            className="font-mono text-xs text-slate-700 hover:text-brand-700 hover:underline"
          >
            {row.outTradeNo}
          </Link>
        ) : (
          <span className="font-mono text-xs">{row.outTradeNo || "—"}</span>
        ),
    },
    {
      header: t("columns.amount"),
      align: "right",
      cell: ({ row }) => (
        <span className="whitespace-nowrap">
          {row.full && <span className="mr-1 text-xs text-slate-500">{t("full")}</span>}
          {row.amountFen !== null ? (
            <Money fen={row.amountFen} />
          ) : (
            <span className="font-mono text-xs">{row.amountText || "—"}</span>
          )}
        </span>
      ),
    },
    { header: t("columns.reason"), cell: ({ row }) => <span className="text-slate-700">{row.reason}</span> },
    { header: t("columns.status"), cell: ({ row }) => <RowStatusBadge status={row.status} /> },
    {
      header: t("columns.refund"),
      cell: ({ row, refundStatus }) =>
        row.refundId && row.outRefundNo ? (
          <span className="flex items-center gap-1.5">
            <Link
              href={`/refunds/${encodeURIComponent(row.outRefundNo)}`}
              className="font-mono text-xs text-brand-700 hover:underline"
            >
              {row.outRefundNo}
            </Link>
            {refundStatus && <RefundStatusBadge status={refundStatus} />}
          </span>
        ) : (
          <span className="text-slate-400">—</span>
        ),
    },
    {
      header: t("columns.problem"),
      cell: ({ row, refundErrorCode }) =>
        row.errorMessage ? (
          <span className="text-xs text-red-700" data-testid="row-problem">
            <MessageText message={row.errorMessage} />
          </span>
        ) : refundErrorCode ? (
          <span className="font-mono text-xs text-red-700">{refundErrorCode}</span>
        ) : null,
    },
  ];
}

export default async function BulkBatchPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const user = await requirePageUser();
  const raw = (await params).id;
  if (!/^[1-9]\d{0,15}$/.test(raw)) notFound();
  const query = await searchParams;
  const page = /^\d{1,6}$/.test(query.after ?? "") ? Number(query.after) : 0;
  const db = getDb();
  const [view, rows, progress] = await Promise.all([
    getBatch(db, user.merchantId, Number(raw)),
    listBatchRows(db, user.merchantId, Number(raw), page),
    batchProgress(db, user.merchantId, Number(raw)),
  ]);
  if (!view || !progress) notFound();
  const { batch } = view;
  const [t, tPreview, tApproval, tRows] = await Promise.all([
    getTranslations("bulk.batch"),
    getTranslations("bulk.preview"),
    getTranslations("bulk.approval"),
    getTranslations("bulk.rows"),
  ]);
  const steer = can(user.role, "bulkRefund") && mayControl(batch, { userId: user.id, role: user.role });
  const mayDecide = can(user.role, "approveRefund") && batch.createdBy !== user.id;
  const invalid = batch.totalRows - batch.validRows;
  const running = ["RUNNING", "PAUSED", "COMPLETED", "CANCELLED"].includes(batch.status) && batch.confirmedAt !== null;

  return (
    <>
      <PageHeader
        title={t("title", { id: batch.id })}
        subtitle={batch.fileName}
        actions={
          <>
            <a
              href={`/refunds/bulk/${batch.id}/results`}
              className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
            >
              <Download className="h-4 w-4" aria-hidden />
              {t("download")}
            </a>
            <Link href="/refunds/bulk" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
              {t("back")}
            </Link>
          </>
        }
      />
      {query.read === "gbk" && (
        <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("readAsGbk")}</p>
      )}

      <section aria-label={t("metaTitle")} className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <DetailList>
          <Detail label={t("status")}>
            <BatchStatusBadge status={batch.status} />
          </Detail>
          <Detail label={t("merchant")}>
            {view.merchantName} <span className="font-mono text-xs text-slate-500">{view.mchid}</span>
          </Detail>
          <Detail label={t("uploadedBy")}>{view.uploaderName}</Detail>
          <Detail label={t("uploadedAt")}>
            <DateTime value={batch.createdAt} />
          </Detail>
          <Detail label={t("lines")}>
            <span data-testid="bulk-total">{batch.totalRows}</span>
          </Detail>
          <Detail label={t("valid")}>
            <span data-testid="bulk-valid">{batch.validRows}</span>
          </Detail>
          <Detail label={t("invalid")}>
            <span data-testid="bulk-invalid" className={invalid ? "font-semibold text-red-700" : ""}>
              {invalid}
            </span>
          </Detail>
          <Detail label={t("amount")}>
            <Money fen={batch.validAmountFen} />
          </Detail>
          <Detail label={t("threshold")}>
            <Money fen={view.approvalThresholdFen} />
          </Detail>
          {view.deciderName && <Detail label={t("decidedBy")}>{view.deciderName}</Detail>}
          {batch.decisionNote && <Detail label={t("note")}>{batch.decisionNote}</Detail>}
        </DetailList>
      </section>

      {batch.status === "VALIDATED" && (
        <section
          aria-labelledby="bulk-preview"
          className="mb-6 space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm"
        >
          <h2 id="bulk-preview" className="font-semibold text-amber-900">
            {tPreview("title")}
          </h2>
          <p className="text-amber-900">{batch.validRows ? tPreview("intro") : tPreview("noValid")}</p>
          {batch.validAmountFen > view.approvalThresholdFen && (
            <p className="text-amber-900">
              {tPreview("needsApproval", {
                amount: formatFen(batch.validAmountFen),
                threshold: formatFen(view.approvalThresholdFen),
              })}
            </p>
          )}
          {steer && (
            <div className="flex flex-wrap gap-2">
              {batch.validRows > 0 && (
                <BatchActionButton
                  kind="confirm"
                  batchId={batch.id}
                  tone="primary"
                  label={tPreview("confirm", { count: batch.validRows, amount: formatFen(batch.validAmountFen) })}
                />
              )}
              <BatchActionButton kind="cancel" batchId={batch.id} label={tPreview("discard")} />
            </div>
          )}
        </section>
      )}

      {batch.status === "AWAITING_APPROVAL" && (
        <section
          aria-labelledby="bulk-approval"
          className="mb-6 space-y-3 rounded-lg border border-violet-300 bg-violet-50 p-4 text-sm"
        >
          <h2 id="bulk-approval" className="font-semibold text-violet-900">
            {tApproval("waiting")}
          </h2>
          {mayDecide && <DecisionForm batchId={batch.id} />}
          {steer && batch.createdBy === user.id && (
            <BatchActionButton kind="cancel" batchId={batch.id} label={tApproval("withdraw")} />
          )}
        </section>
      )}

      {batch.status === "REJECTED" && (
        <p className="mb-6 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
          {tApproval("rejected", { name: view.deciderName ?? "—" })}
        </p>
      )}

      {running && <BatchProgress batchId={batch.id} initial={progress} mayControl={steer} />}

      <h2 className="mb-2 text-sm font-semibold text-slate-900">{tRows("title")}</h2>
      <DataTable
        columns={rowColumns(tRows)}
        rows={rows.rows}
        rowKey={(r) => r.row.id}
        rowClassName={(r) =>
          r.row.status === "INVALID" || r.row.status === "FAILED" ? "bg-red-50/60 hover:bg-red-50" : undefined
        }
        empty={tRows("empty")}
      />
      <Pager path={`/refunds/bulk/${batch.id}`} params={query} nextCursor={rows.hasMore ? String(page + 1) : null} />
    </>
  );
}
