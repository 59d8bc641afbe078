import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { beijingDate } from "@/lib/beijing-time";
import { getDb } from "@/lib/db/client";
import type { OrderBackfill, OrderFileImport, OrderImportDay } from "@/lib/db/schema";
import { addDays, MAX_BACKFILL_DAYS } from "@/lib/orders-import/backfill";
import { recentBackfills, recentImportDays, recentOrderFileImports } from "@/lib/orders-import/queries";
import { previousBillDate } from "@/lib/reconciliation/bill-date";
import { BackfillForm } from "./backfill-form";
import { FileForm } from "./file-form";
import { RefreshWhileRunning } from "./refresh-while-running";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("orders.import");
  return { title: t("title") };
}

const SECTION = "mb-6 rounded-lg border border-slate-200 bg-white p-4";

export default async function OrdersImportPage() {
  const user = await requirePageUser("importOrders");
  const t = await getTranslations("orders.import");
  const db = getDb();
  const [backfills, days, files] = await Promise.all([
    recentBackfills(db, user.merchantId),
    recentImportDays(db, user.merchantId),
    recentOrderFileImports(db, user.merchantId),
  ]);
  const now = new Date();
  const yesterday = previousBillDate(now);
  const earliest = addDays(yesterday, -(MAX_BACKFILL_DAYS - 1));
  const running = backfills.some((b) => b.status !== "DONE");

  const backfillColumns: Column<OrderBackfill>[] = [
    { header: t("backfill.range"), cell: (b) => <span className="tabular-nums">{`${b.fromDate} – ${b.toDate}`}</span> },
    {
      header: t("backfill.status"),
      cell: (b) => <span data-testid={`backfill-status-${b.id}`}>{t(`backfill.statuses.${b.status}`)}</span>,
    },
    {
      header: t("backfill.progress"),
      cell: (b) => (
        <span className="flex items-center gap-2">
          <progress value={b.daysDone} max={b.daysTotal} className="h-2 w-24" aria-label={t("backfill.progress")} />
          <span className="tabular-nums text-xs text-slate-600" data-testid={`backfill-days-${b.id}`}>
            {t("backfill.days", { done: b.daysDone, total: b.daysTotal })}
          </span>
        </span>
      ),
    },
    {
      header: t("backfill.rows"),
      align: "right",
      cell: (b) => (
        <span className="tabular-nums" data-testid={`backfill-rows-${b.id}`}>
          {b.rowsImported}
        </span>
      ),
    },
    {
      header: t("backfill.failed"),
      align: "right",
      cell: (b) => (
        <span className={`tabular-nums ${b.daysFailed > 0 ? "font-semibold text-red-700" : "text-slate-500"}`}>
          {b.daysFailed}
        </span>
      ),
    },
    { header: t("backfill.requested"), cell: (b) => <DateTime value={b.createdAt} /> },
  ];

  const dayColumns: Column<OrderImportDay>[] = [
    { header: t("days.billDate"), cell: (d) => <span className="tabular-nums">{d.billDate}</span> },
    {
      header: t("days.status"),
      cell: (d) => (
        <span
          data-testid={`import-day-${d.billDate}`}
          className={d.status === "ERROR" ? "font-semibold text-red-700" : undefined}
        >
          {t(`days.statuses.${d.status}`)}
        </span>
      ),
    },
    {
      header: t("days.lines"),
      align: "right",
      cell: (d) => <span className="tabular-nums">{d.lineCount ?? "—"}</span>,
    },
    {
      header: t("days.imported"),
      align: "right",
      cell: (d) => <span className="tabular-nums">{d.importedCount ?? "—"}</span>,
    },
    {
      header: t("days.note"),
      cell: (d) =>
        d.status === "MISSING" || d.status === "ERROR" ? (
          <span className="text-xs text-slate-600">
            {d.lastErrorCode} · {d.nextAttemptAt ? <DateTime value={d.nextAttemptAt} /> : t("days.noMoreAttempts")}
          </span>
        ) : d.fetchedAt ? (
          <DateTime value={d.fetchedAt} />
        ) : null,
    },
  ];

  const fileColumns: Column<OrderFileImport>[] = [
    { header: t("files.name"), cell: (f) => f.fileName },
    { header: t("files.uploaded"), cell: (f) => <DateTime value={f.createdAt} /> },
    { header: t("files.total"), align: "right", cell: (f) => <span className="tabular-nums">{f.totalRows}</span> },
    {
      header: t("files.imported"),
      align: "right",
      cell: (f) => <span className="tabular-nums">{f.importedRows}</span>,
    },
    {
      header: t("files.unchanged"),
      align: "right",
      cell: (f) => <span className="tabular-nums">{f.unchangedRows}</span>,
    },
    {
      header: t("files.refused"),
      align: "right",
      cell: (f) =>
        f.problems.length > 0 ? (
          <a href={`/orders/import/${f.id}/errors`} download className="font-semibold text-red-700 hover:underline">
            {t("files.report", { count: f.problems.length })}
          </a>
        ) : (
          <span className="text-slate-500">0</span>
        ),
    },
  ];

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { today: beijingDate(now) })} />
      <RefreshWhileRunning running={running} />
      <section aria-labelledby="backfill" className={SECTION}>
        <h2 id="backfill" className="mb-1 text-sm font-semibold text-slate-900">
          {t("backfill.title")}
        </h2>
        <p className="mb-3 text-xs text-slate-600">{t("backfill.explain", { days: MAX_BACKFILL_DAYS })}</p>
        <BackfillForm yesterday={yesterday} earliest={earliest} />
        <div className="mt-4">
          <DataTable columns={backfillColumns} rows={backfills} rowKey={(b) => b.id} empty={t("backfill.empty")} />
        </div>
        <h3 className="mt-4 mb-2 text-xs font-semibold text-slate-700">{t("days.title")}</h3>
        <DataTable columns={dayColumns} rows={days} rowKey={(d) => d.id} empty={t("days.empty")} />
      </section>
      <section aria-labelledby="file-import" className={SECTION}>
        <h2 id="file-import" className="mb-1 text-sm font-semibold text-slate-900">
          {t("file.title")}
        </h2>
        <p className="mb-3 text-xs text-slate-600">{t("file.explain")}</p>
        <FileForm />
        <div className="mt-4">
          <DataTable columns={fileColumns} rows={files} rowKey={(f) => f.id} empty={t("files.empty")} />
        </div>
      </section>
    </>
  );
}
