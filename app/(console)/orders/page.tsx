import type { Metadata } from "next";
import Link from "next/link";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { AmountRangeFields, DateRangeFields, FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { OrderStateBadge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { yuanParamToFen } from "@/lib/db/queries/filters";
import { listOrders, orderFiltersSchema, type OrderListRow } from "@/lib/db/queries/orders";

export const metadata: Metadata = { title: "Orders" };

const COLUMNS: Column<OrderListRow>[] = [
  { header: "Paid at", cell: (o) => <DateTime value={o.paidAt} /> },
  {
    header: "Order no.",
    cell: (o) => (
      <Link href={`/orders/${o.id}`} className="font-mono text-xs text-brand-700 hover:underline">
        {o.outTradeNo}
      </Link>
    ),
  },
  { header: "Description", cell: (o) => <span className="line-clamp-1 max-w-64 text-slate-600">{o.description}</span> },
  { header: "Amount", align: "right", cell: (o) => <Money fen={o.totalFen} /> },
  { header: "Refunded", align: "right", cell: (o) => <Money fen={o.refundedFen} className={o.refundedFen ? "" : "text-slate-400"} /> },
  { header: "Remaining", align: "right", cell: (o) => <Money fen={o.remainingFen} className="font-medium" /> },
  { header: "Refunds", align: "right", cell: (o) => <span className="tabular-nums text-slate-600">{o.refundCount} / 50</span> },
  { header: "State", cell: (o) => <OrderStateBadge state={o.state} /> },
];

type Search = Record<string, string | undefined>;

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser();
  const params = await searchParams;
  const filters = orderFiltersSchema.parse({ ...params, minFen: yuanParamToFen(params.min), maxFen: yuanParamToFen(params.max) });
  const { rows, nextCursor } = await listOrders(getDb(), filters);

  return (
    <>
      <PageHeader title="Orders" subtitle="Paid WeChat Pay orders, newest first. Times are Beijing time." />
      <FilterBar action="/orders">
        <FilterField label="Search">
          <FilterInput name="q" defaultValue={params.q} placeholder="Order no., transaction ID or description" className="w-72" />
        </FilterField>
        <FilterField label="Refund state">
          <FilterSelect
            name="state"
            defaultValue={params.state}
            options={[
              { value: "", label: "Any" },
              { value: "none", label: "Not refunded" },
              { value: "partial", label: "Partly refunded" },
              { value: "full", label: "Fully refunded" },
              { value: "in_progress", label: "Refund in progress" },
            ]}
          />
        </FilterField>
        <DateRangeFields label="Paid" params={params} />
        <AmountRangeFields params={params} />
      </FilterBar>
      <DataTable columns={COLUMNS} rows={rows} rowKey={(o) => o.id} empty="No orders match these filters." />
      <Pager path="/orders" params={params} nextCursor={nextCursor} />
    </>
  );
}
