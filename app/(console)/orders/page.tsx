import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import {
  AmountRangeFields,
  DateRangeFields,
  FilterBar,
  FilterField,
  FilterInput,
  FilterSelect,
} from "@/components/filter-bar";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { timeFormat } from "@/app/_server/time-format";
import { mayUse } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { listOrders, ORDER_REFUND_STATES, parseOrderFilters } from "@/lib/db/queries/orders";
import { can } from "@/lib/auth/roles";
import { LookupPanel } from "./lookup-panel";
import { OrdersTable, type OrdersTableText } from "./orders-table";
import { MAX_REFUNDS_PER_ORDER, remainingFen } from "@/lib/refunds/policy";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("orders.list"))("title") };
}

type Search = Record<string, string | undefined>;

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
      <OrdersTable
        rows={rows.map((o) => ({
          id: o.id,
          paidAt: o.paidAt,
          outTradeNo: o.outTradeNo,
          description: o.description,
          totalFen: o.totalFen,
          refundedFen: o.refundedFen,
          remainingFen: remainingFen(o),
          refundCount: o.refundCount,
          state: o.state,
        }))}
        text={{
          headers: {
            paidAt: t("columns.paidAt"),
            outTradeNo: t("columns.outTradeNo"),
            description: t("columns.description"),
            total: t("columns.total"),
            refunded: t("columns.refunded"),
            remaining: t("columns.remaining"),
            refundCount: t("columns.refundCount"),
            state: t("columns.state"),
          },
          states: Object.fromEntries(ORDER_REFUND_STATES.map((s) => [s, tStatus(s)])) as OrdersTableText["states"],
          empty: t("empty"),
          time,
          refundCap: MAX_REFUNDS_PER_ORDER,
        }}
      />
      <Pager path="/orders" params={params} nextCursor={nextCursor} />
    </>
  );
}
