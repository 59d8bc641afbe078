import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { currentMerchant, requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { listBatches, type BatchListRow } from "@/lib/bulk/queries";
import { getDb } from "@/lib/db/client";
import { BatchStatusBadge } from "./badges";
import { UploadForm } from "./upload-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("bulk.list"))("title") };
}

type Translate = Awaited<ReturnType<typeof getTranslations<"bulk.list">>>;

function columns(t: Translate): Column<BatchListRow>[] {
  return [
    {
      header: t("columns.id"),
      cell: (r) => (
        <Link href={`/refunds/bulk/${r.batch.id}`} className="font-mono text-xs text-brand-700 hover:underline">
          #{r.batch.id}
        </Link>
      ),
    },
    { header: t("columns.createdAt"), cell: (r) => <DateTime value={r.batch.createdAt} /> },
    { header: t("columns.file"), cell: (r) => <span className="break-all text-slate-700">{r.batch.fileName}</span> },
    { header: t("columns.merchant"), cell: (r) => r.merchantName },
    { header: t("columns.uploader"), cell: (r) => r.uploaderName ?? "—" },
    { header: t("columns.status"), cell: (r) => <BatchStatusBadge status={r.batch.status} /> },
    {
      header: t("columns.lines"),
      align: "right",
      cell: (r) => <span className="tabular-nums">{r.batch.totalRows}</span>,
    },
    {
      header: t("columns.requested"),
      align: "right",
      cell: (r) => <span className="tabular-nums">{r.counts.REQUESTED}</span>,
    },
    {
      header: t("columns.bad"),
      align: "right",
      cell: (r) => (
        <span className={`tabular-nums ${r.counts.INVALID + r.counts.FAILED ? "text-red-700" : ""}`}>
          {r.counts.INVALID + r.counts.FAILED}
        </span>
      ),
    },
    { header: t("columns.amount"), align: "right", cell: (r) => <Money fen={r.batch.validAmountFen} /> },
  ];
}

export default async function BulkRefundsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const user = await requirePageUser();
  const params = await searchParams;
  const before = /^[1-9]\d{0,15}$/.test(params.after ?? "") ? Number(params.after) : undefined;
  const db = getDb();
  const mayUpload = can(user.role, "bulkRefund");
  const [t, { rows, nextCursor }] = await Promise.all([
    getTranslations("bulk.list"),
    listBatches(db, user.merchantId, before),
  ]);
  const merchant = currentMerchant(user);

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {mayUpload && <UploadForm merchantLabel={`${merchant.displayName} (${merchant.mchid})`} />}
      <h2 className="mb-2 text-sm font-semibold text-slate-900">{t("recent")}</h2>
      <DataTable columns={columns(t)} rows={rows} rowKey={(r) => r.batch.id} empty={t("empty")} />
      <Pager path="/refunds/bulk" params={params} nextCursor={nextCursor} />
    </>
  );
}
