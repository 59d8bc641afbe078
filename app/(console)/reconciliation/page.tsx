import type { Metadata } from "next";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { previousBillDate } from "@/lib/reconciliation/bill-date";
import { listBillDays, listMismatches, type BillDayRow } from "@/lib/reconciliation/queries";
import { MismatchTable } from "./mismatch-table";
import { DayStatusBadge } from "./parts";
import { RunForm } from "./run-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("reconciliation");
  return { title: t("title") };
}

export default async function ReconciliationPage() {
  const user = await requirePageUser();
  const t = await getTranslations("reconciliation");
  const db = getDb();
  const mayResolve = can(user.role, "resolveReconciliation");
  const [days, open] = await Promise.all([
    listBillDays(db, user.merchantId),
    listMismatches(db, user.merchantId, { openOnly: true }),
  ]);

  const columns: Column<BillDayRow>[] = [
    {
      header: t("days.billDate"),
      cell: (d) => (
        <Link
          href={`/reconciliation/${d.id}`}
          className="tabular-nums whitespace-nowrap text-brand-700 hover:underline"
        >
          {d.billDate}
        </Link>
      ),
    },
    { header: t("days.merchant"), cell: (d) => d.merchantName },
    {
      header: t("days.status"),
      cell: (d) => (
        <span data-testid={`day-status-${d.billDate}`}>
          <DayStatusBadge status={d.status} />
        </span>
      ),
    },
    { header: t("days.wechat"), align: "right", cell: (d) => <Totals totals={d.billTotals} /> },
    { header: t("days.console"), align: "right", cell: (d) => <Totals totals={d.consoleTotals} /> },
    {
      header: t("days.open"),
      align: "right",
      cell: (d) => (
        <span className={`tabular-nums ${d.openMismatches > 0 ? "font-semibold text-red-700" : "text-slate-500"}`}>
          {d.openMismatches}
        </span>
      ),
    },
    {
      header: t("days.retry"),
      cell: (d) =>
        d.status === "MISSING" || d.status === "ERROR" ? (
          <span className="text-xs text-slate-600">
            {t("days.attempts", { count: d.attempts })} ·{" "}
            {d.nextAttemptAt ? <DateTime value={d.nextAttemptAt} /> : t("days.noMoreAttempts")}
          </span>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {mayResolve && (
        <section aria-label={t("run.submit")} className="mb-6 rounded-lg border border-slate-200 bg-white p-3">
          <RunForm defaultDate={previousBillDate(new Date())} />
        </section>
      )}
      <section aria-labelledby="mismatch-queue" className="mb-6">
        <h2 id="mismatch-queue" className="mb-2 text-sm font-semibold text-slate-900">
          {t("queue.title")}
        </h2>
        <MismatchTable rows={open} mayResolve={mayResolve} empty={t("queue.empty")} />
      </section>
      <section aria-labelledby="bill-days">
        <h2 id="bill-days" className="mb-2 text-sm font-semibold text-slate-900">
          {t("days.title")}
        </h2>
        <DataTable columns={columns} rows={days} rowKey={(d) => d.id} empty={t("days.empty")} />
      </section>
    </>
  );
}

/** A side's count and refunded sum (the bill's 申请退款总金额, the console's successful refunds). */
function Totals({ totals }: { totals: Record<string, number> | null }) {
  const t = useTranslations("reconciliation.days");
  if (!totals) return <span className="text-slate-400">—</span>;
  return (
    <span className="text-xs whitespace-nowrap">
      {t("refunds", { count: totals.lineCount ?? 0 })} · <Money fen={totals.refundFen ?? 0} />
    </span>
  );
}
