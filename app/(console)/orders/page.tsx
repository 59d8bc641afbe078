import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { BeijingTime, type TimeFormat } from "@/components/date-time";
import {
  AmountRangeFields,
  DateRangeFields,
  FilterBar,
  FilterField,
  FilterInput,
  FilterSelect,
} from "@/components/filter-bar";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { Badge, ORDER_STATE_TONES } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { timeFormat } from "@/app/_server/time-format";
import { mayUse } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { listOrders, ORDER_REFUND_STATES, parseOrderFilters, type OrderListRow } from "@/lib/db/queries/orders";
import { can } from "@/lib/auth/roles";
import { LookupPanel } from "./lookup-panel";
import { MAX_REFUNDS_PER_ORDER, remainingFen } from "@/lib/refunds/policy";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("orders.list"))("title") };
}

type Search = Record<string, string | undefined>;
type Translate = Awaited<ReturnType<typeof getTranslations<"orders.list">>>;

/** What every row shows the same way, resolved once by the page (see `BeijingTime`). */
interface RowFormat {
  time: TimeFormat;
  state: (state: OrderListRow["state"]) => string;
}

function columns(t: Translate, format: RowFormat): Column<OrderListRow>[] {
  return [
    { header: t("columns.paidAt"), cell: (o) => <BeijingTime value={o.paidAt} format={format.time} /> },
    {
      header: t("columns.outTradeNo"),
      cell: (o) => (
        <Link href={`/orders/${o.id}`} className="font-mono text-xs text-brand-700 hover:underline">
          {o.outTradeNo}
        </Link>
      ),
    },
    {
      header: t("columns.description"),
      cell: (o) => <span className="line-clamp-1 max-w-64 text-slate-600">{o.description}</span>,
    },
    { header: t("columns.total"), align: "right", cell: (o) => <Money fen={o.totalFen} /> },
    {
      header: t("columns.refunded"),
      align: "right",
      cell: (o) => <Money fen={o.refundedFen} className={o.refundedFen ? "" : "text-slate-400"} />,
    },
    {
      header: t("columns.remaining"),
      align: "right",
      cell: (o) => <Money fen={remainingFen(o)} className="font-medium" />,
    },
    {
      header: t("columns.refundCount"),
      align: "right",
      cell: (o) => (
        <span className="tabular-nums text-slate-600">
          {o.refundCount} / {MAX_REFUNDS_PER_ORDER}
        </span>
      ),
    },
    {
      header: t("columns.state"),
      cell: (o) => <Badge tone={ORDER_STATE_TONES[o.state]} label={format.state(o.state)} />,
    },
  ];
}

/** The current filters as a query string (without the page cursor), for the CSV export of exactly this view. */
function filterQuery(params: Search): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value && key !== "after") query.set(key, value);
  return query.toString();
}

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const params = await searchParams;
  const filters = parseOrderFilters(params);
  const [{ rows, nextCursor }, t, tStatus, time, tImport] = await Promise.all([
    listOrders(getDb(), user.merchantId, filters),
    getTranslations("orders.list"),
    getTranslations("status.order"),
    timeFormat(),
    getTranslations("orders.import"),
  ]);

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <span className="flex gap-2">
            {mayUse(user, "importOrders") && (
              <Link
                href="/orders/import"
                className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
              >
                {tImport("link")}
              </Link>
            )}
            <a
              href={`/api/export/orders?${filterQuery(params)}`}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
              download
            >
              {t("exportCsv")}
            </a>
          </span>
        }
      />
      <FilterBar action="/orders">
        <FilterField label={t("search")}>
          <FilterInput name="q" defaultValue={params.q} placeholder={t("searchPlaceholder")} className="w-72" />
        </FilterField>
        <FilterField label={t("refundState")}>
          <FilterSelect
            name="state"
            defaultValue={params.state}
            options={[
              { value: "", label: t("anyState") },
              ...ORDER_REFUND_STATES.map((state) => ({ value: state, label: tStatus(state) })),
            ]}
          />
        </FilterField>
        <DateRangeFields label={t("paid")} params={params} />
        <AmountRangeFields params={params} />
      </FilterBar>
      {/* A number the console does not know may still be a payment at WeChat Pay (no shop integration yet). */}
      {params.q?.trim() && rows.length === 0 && !params.after && can(user.role, "lookUpPayment") && (
        <LookupPanel number={params.q.trim()} />
      )}
      <DataTable
        columns={columns(t, { time, state: (state) => tStatus(state) })}
        rows={rows}
        rowKey={(o) => o.id}
        empty={t("empty")}
      />
      <Pager path="/orders" params={params} nextCursor={nextCursor} />
    </>
  );
}
