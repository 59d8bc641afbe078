import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ChartNoAxesColumn } from "lucide-react";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { currentState, dailySeries, parseDashboardParams, rangeSummary } from "@/lib/db/queries/dashboard";
import { Attention } from "./_dashboard/attention";
import { ConfigurationBanner } from "./_dashboard/configuration-banner";
import { RangeBar } from "./_dashboard/range-bar";
import { ClientMessages } from "@/components/client-messages";
import { RefundedChart } from "./_dashboard/refunded-chart";
import { StatusMixChart } from "./_dashboard/status-mix-chart";
import { Tiles } from "./_dashboard/tiles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("dashboard");
  return { title: t("title") };
}

function ChartCard({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="mb-2 text-sm font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

type Search = Record<string, string | undefined>;

/** The dashboard: a period's refunds at a glance, what is in flight, and what needs someone now. */
export default async function DashboardPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { merchantId } = await requirePageUser("read");
  const { range } = parseDashboardParams(await searchParams, new Date());
  const db = getDb();
  const [summary, state, series] = await Promise.all([
    rangeSummary(db, range, merchantId),
    currentState(db, merchantId),
    dailySeries(db, range, merchantId),
  ]);
  const t = await getTranslations("dashboard");

  return (
    <ClientMessages area="dashboard">
      <PageHeader title={t("title")} subtitle={t("subtitle", { from: range.from, to: range.to })} />
      <ConfigurationBanner />
      <RangeBar range={range} />
      <Tiles summary={summary} state={state} />
      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <div className="grid gap-4 lg:col-span-2">
          {summary.requestedCount === 0 ? (
            <section className="flex h-full min-h-64 flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
              <ChartNoAxesColumn className="h-8 w-8 text-slate-300" aria-hidden />
              <p className="text-sm font-medium text-slate-700">{t("charts.empty")}</p>
              <p className="text-xs text-slate-500">{t("charts.emptyHint")}</p>
            </section>
          ) : (
            <>
              <ChartCard id="chart-refunded" title={t("charts.refundedTitle")}>
                <RefundedChart
                  points={series.map(({ day, refundedFen, refundedCount }) => ({ day, refundedFen, refundedCount }))}
                />
              </ChartCard>
              <ChartCard id="chart-status" title={t("charts.statusTitle")}>
                <StatusMixChart points={series.map(({ day, byStatus }) => ({ day, ...byStatus }))} />
              </ChartCard>
            </>
          )}
        </div>
        <div>
          <Attention state={state} />
        </div>
      </div>
    </ClientMessages>
  );
}
