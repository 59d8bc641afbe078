import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { requireConsoleUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { deadJobs, queueCounts, type DeadJob, type QueueCount } from "@/lib/jobs/queries";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("jobs");
  return { title: t("title") };
}

export default async function JobsPage() {
  await requireConsoleUser("manageMerchants");
  const [t, format] = await Promise.all([getTranslations("jobs"), getFormatter()]);
  // pg-boss's states; one it adds later still shows, as its own name.
  const state = (value: string) => (t.has(`states.${value}`) ? t(`states.${value}`) : value);

  const countColumns: Column<QueueCount>[] = [
    { header: t("columns.queue"), cell: (c) => <span className="font-mono text-xs">{c.name}</span> },
    { header: t("columns.state"), cell: (c) => state(c.state) },
    {
      header: t("columns.jobs"),
      align: "right",
      cell: (c) => <span className="tabular-nums">{format.number(c.count)}</span>,
    },
  ];
  const deadColumns: Column<DeadJob>[] = [
    { header: t("columns.created"), cell: (j) => <DateTime value={j.createdOn} /> },
    { header: t("columns.queue"), cell: (j) => <span className="font-mono text-xs">{j.name}</span> },
    { header: t("columns.state"), cell: (j) => <span className="text-red-700">{state(j.state)}</span> },
    { header: t("columns.retries"), align: "right", cell: (j) => format.number(j.retryCount) },
    { header: t("columns.data"), cell: (j) => <code className="text-xs">{JSON.stringify(j.data)}</code> },
    {
      header: t("columns.lastError"),
      cell: (j) => <code className="line-clamp-2 max-w-96 text-xs text-red-700">{JSON.stringify(j.output)}</code>,
    },
  ];

  const db = getDb();
  const [counts, dead] = await Promise.all([queueCounts(db), deadJobs(db)]);
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <div className="grid gap-6 lg:grid-cols-3">
        <section className="lg:col-span-1">
          <h2 className="mb-2 text-sm font-semibold">{t("queues")}</h2>
          <DataTable columns={countColumns} rows={counts} rowKey={(c) => `${c.name}:${c.state}`} empty={t("noJobs")} />
        </section>
        <section className="lg:col-span-2">
          <h2 className="mb-2 text-sm font-semibold">{t("dead")}</h2>
          <DataTable columns={deadColumns} rows={dead} rowKey={(j) => j.id} empty={t("noDead")} />
        </section>
      </div>
    </>
  );
}
