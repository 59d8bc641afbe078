import type { Metadata } from "next";
import Link from "next/link";
import { TriangleAlert } from "lucide-react";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { AmountRangeFields, DateRangeFields, FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { RefundStatusBadge, refundStatusLabel } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { yuanParamToFen } from "@/lib/db/queries/filters";
import { listRefundRequesters, listRefunds, refundFiltersSchema, type RefundListRow } from "@/lib/db/queries/refunds";
import { refundStatus } from "@/lib/db/schema";

export const metadata: Metadata = { title: "Refunds" };

const COLUMNS: Column<RefundListRow>[] = [
  { header: "Created at", cell: (r) => <DateTime value={r.createdAt} /> },
  {
    header: "Refund no.",
    cell: (r) => (
      <Link href={`/refunds/${encodeURIComponent(r.outRefundNo)}`} className="font-mono text-xs text-brand-700 hover:underline">
        {r.outRefundNo}
      </Link>
    ),
  },
  {
    header: "Order",
    cell: (r) => (
      <Link href={`/orders/${r.orderId}`} className="font-mono text-xs text-slate-700 hover:text-brand-700 hover:underline">
        {r.outTradeNo}
      </Link>
    ),
  },
  { header: "Amount", align: "right", cell: (r) => <Money fen={r.amountFen} /> },
  {
    header: "Status",
    cell: (r) => (
      <span className="flex items-center gap-1.5">
        <RefundStatusBadge status={r.status} />
        {r.status === "ABNORMAL" && (
          <span className="flex items-center gap-1 text-xs font-medium whitespace-nowrap text-red-700">
            <TriangleAlert className="h-3.5 w-3.5" aria-hidden />
            Needs abnormal-refund application
          </span>
        )}
      </span>
    ),
  },
  {
    header: "Requested by",
    cell: (r) => (r.requesterName ? <span title={r.requesterEmail ?? undefined}>{r.requesterName}</span> : <span className="text-slate-400">—</span>),
  },
  {
    header: "Last error",
    cell: (r) => (r.lastErrorCode ? <span className="font-mono text-xs text-red-700">{r.lastErrorCode}</span> : <span className="text-slate-400">—</span>),
  },
];

type Search = Record<string, string | undefined>;

export default async function RefundsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser();
  const params = await searchParams;
  const filters = refundFiltersSchema.parse({ ...params, minFen: yuanParamToFen(params.min), maxFen: yuanParamToFen(params.max) });
  const db = getDb();
  const [{ rows, nextCursor }, requesters] = await Promise.all([listRefunds(db, filters), listRefundRequesters(db)]);

  return (
    <>
      <PageHeader title="Refunds" subtitle="Every refund requested through the console, newest first. Times are Beijing time." />
      <FilterBar action="/refunds">
        <FilterField label="Refund or order no.">
          <FilterInput name="q" defaultValue={params.q} placeholder="Exact out_refund_no or out_trade_no" className="w-64" />
        </FilterField>
        <FilterField label="Status">
          <FilterSelect
            name="status"
            defaultValue={params.status}
            options={[{ value: "", label: "Any" }, ...refundStatus.enumValues.map((s) => ({ value: s, label: refundStatusLabel(s) }))]}
          />
        </FilterField>
        <FilterField label="Requested by">
          <FilterSelect
            name="operator"
            defaultValue={params.operator}
            options={[{ value: "", label: "Anyone" }, ...requesters.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))]}
          />
        </FilterField>
        <DateRangeFields label="Created" params={params} />
        <AmountRangeFields params={params} />
      </FilterBar>
      <DataTable
        columns={COLUMNS}
        rows={rows}
        rowKey={(r) => r.id}
        rowClassName={(r) => (r.status === "ABNORMAL" ? "bg-red-50/70 hover:bg-red-50" : undefined)}
        empty="No refunds match these filters."
      />
      <Pager path="/refunds" params={params} nextCursor={nextCursor} />
    </>
  );
}
