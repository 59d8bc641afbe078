import type { Metadata } from "next";
import Link from "next/link";
import { Download, Files, TriangleAlert } from "lucide-react";
import { getTranslations } from "next-intl/server";
import {
  AmountRangeFields,
  DateRangeFields,
  FilterBar,
  FilterField,
  FilterInput,
  FilterSelect,
} from "@/components/filter-bar";
import { presentFields } from "@/components/data-table";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { timeFormat } from "@/app/_server/time-format";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import {
  countNeedingAttention,
  listRefundRequesters,
  listRefunds,
  parseRefundFilters,
  type RefundListRow,
} from "@/lib/db/queries/refunds";
import { refundStatus } from "@/lib/db/schema";
import { RefundsTable, type AttentionReason, type RefundsTableText } from "./refunds-table";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("refunds.list");
  return { title: t("title") };
}

type Search = Record<string, string | undefined>;
/** Why a refund needs a person, if it does: the same three cases as the "Needs attention" tab. */
function attentionReason(r: RefundListRow): AttentionReason | null {
  if (r.status === "ABNORMAL") return "abnormal";
  if (r.outcomeUnknown) return "unknown";
  if (r.status === "PENDING" && r.lastErrorCode) return "retrying";
  return null;
}

/** The current query string without the page cursor: what the tabs and the CSV export keep. */
function queryWithout(params: Search, ...drop: string[]): URLSearchParams {
  return new URLSearchParams(
    Object.entries(params).filter(
      (e): e is [string, string] => Boolean(e[1]) && !drop.includes(e[0]) && e[0] !== "after",
    ),
  );
}

const TAB = "rounded-md px-3 py-1.5 text-sm font-medium";

export default async function RefundsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const [t, tStatus, tBulk, time] = await Promise.all([
    getTranslations("refunds.list"),
    getTranslations("status.refund"),
    getTranslations("bulk"),
    timeFormat(),
  ]);
  const params = await searchParams;
  const filters = parseRefundFilters(params);
  const db = getDb();
  const [{ rows, nextCursor }, requesters, attentionCount] = await Promise.all([
    listRefunds(db, user.merchantId, filters),
    listRefundRequesters(db, user.merchantId),
    countNeedingAttention(db, user.merchantId),
  ]);
  const attention = filters.attention === "1";
  const all = queryWithout(params, "attention").toString();
  const flagged = new URLSearchParams([...queryWithout(params, "attention"), ["attention", "1"]]).toString();

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <>
            {can(user.role, "bulkRefund") && (
              <Link
                href="/refunds/bulk"
                className="inline-flex items-center gap-1.5 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
              >
                <Files className="h-4 w-4" aria-hidden />
                {tBulk("link")}
              </Link>
            )}
            <a
              href={`/api/export/refunds?${queryWithout(params).toString()}`}
              className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
            >
              <Download className="h-4 w-4" aria-hidden />
              {t("exportCsv")}
            </a>
          </>
        }
      />
      <nav aria-label={t("tabs.label")} className="mb-3 flex gap-1">
        <Link
          href={all ? `/refunds?${all}` : "/refunds"}
          aria-current={attention ? undefined : "page"}
          className={`${TAB} ${attention ? "text-slate-600 hover:bg-slate-100" : "bg-slate-900 text-white"}`}
        >
          {t("tabs.all")}
        </Link>
        <Link
          href={`/refunds?${flagged}`}
          aria-current={attention ? "page" : undefined}
          className={`${TAB} inline-flex items-center gap-1.5 ${attention ? "bg-red-700 text-white" : "text-red-700 hover:bg-red-50"}`}
        >
          <TriangleAlert className="h-4 w-4" aria-hidden />
          {t("tabs.attention")}
          <span className={`rounded-full px-1.5 text-xs tabular-nums ${attention ? "bg-white/20" : "bg-red-100"}`}>
            {attentionCount}
          </span>
        </Link>
      </nav>
      <FilterBar action="/refunds">
        {attention && <input type="hidden" name="attention" value="1" />}
        <FilterField label={t("filters.number")}>
          <FilterInput name="q" defaultValue={params.q} placeholder={t("filters.numberPlaceholder")} className="w-64" />
        </FilterField>
        <FilterField label={t("filters.status")}>
          <FilterSelect
            name="status"
            defaultValue={params.status}
            options={[
              { value: "", label: t("filters.anyStatus") },
              ...refundStatus.enumValues.map((s) => ({ value: s, label: tStatus(s) })),
            ]}
          />
        </FilterField>
        <FilterField label={t("filters.requestedBy")}>
          <FilterSelect
            name="operator"
            defaultValue={params.operator}
            options={[
              { value: "", label: t("filters.anyone") },
              ...requesters.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
            ]}
          />
        </FilterField>
        <DateRangeFields label={t("filters.created")} params={params} />
        <AmountRangeFields params={params} />
      </FilterBar>
      <RefundsTable
        rows={rows.map((r) =>
          presentFields({
            id: r.id,
            createdAt: r.createdAt,
            outRefundNo: r.outRefundNo,
            orderId: r.orderId,
            outTradeNo: r.outTradeNo,
            amountFen: r.amountFen,
            status: r.status,
            attention: attentionReason(r),
            requesterName: r.requesterName,
            requesterEmail: r.requesterEmail,
            lastErrorCode: r.lastErrorCode,
          }),
        )}
        text={{
          headers: {
            createdAt: t("columns.createdAt"),
            outRefundNo: t("columns.outRefundNo"),
            order: t("columns.order"),
            amount: t("columns.amount"),
            status: t("columns.status"),
            requestedBy: t("columns.requestedBy"),
            lastError: t("columns.lastError"),
          },
          statuses: Object.fromEntries(
            refundStatus.enumValues.map((s) => [s, tStatus(s)]),
          ) as RefundsTableText["statuses"],
          attention: {
            abnormal: t("attention.abnormal"),
            unknown: t("attention.unknown"),
            retrying: t("attention.retrying"),
          },
          empty: attention ? t("emptyAttention") : t("empty"),
          time,
        }}
      />
      <Pager path="/refunds" params={params} nextCursor={nextCursor} />
    </>
  );
}
