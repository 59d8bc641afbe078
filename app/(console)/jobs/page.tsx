import type { Metadata } from "next";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { deadJobs, queueCounts, type DeadJob, type QueueCount } from "@/lib/jobs/queries";

export const metadata: Metadata = { title: "Jobs" };

const COUNT_COLUMNS: Column<QueueCount>[] = [
  { header: "Queue", cell: (c) => <span className="font-mono text-xs">{c.name}</span> },
  { header: "State", cell: (c) => c.state },
  { header: "Jobs", align: "right", cell: (c) => <span className="tabular-nums">{c.count}</span> },
];

const DEAD_COLUMNS: Column<DeadJob>[] = [
  { header: "Created", cell: (j) => <DateTime value={j.createdOn} /> },
  { header: "Queue", cell: (j) => <span className="font-mono text-xs">{j.name}</span> },
  { header: "State", cell: (j) => <span className="text-red-700">{j.state}</span> },
  { header: "Retries", align: "right", cell: (j) => j.retryCount },
  { header: "Data", cell: (j) => <code className="text-xs">{JSON.stringify(j.data)}</code> },
  { header: "Last error", cell: (j) => <code className="line-clamp-2 max-w-96 text-xs text-red-700">{JSON.stringify(j.output)}</code> },
];

export default async function JobsPage() {
  await requirePageUser("manageMerchants");
  const db = getDb();
  const [counts, dead] = await Promise.all([queueCounts(db), deadJobs(db)]);
  return (
    <>
      <PageHeader title="Jobs" subtitle="The PostgreSQL job queue shared by every instance: submissions, reconciliation, sweeps." />
      <div className="grid gap-6 lg:grid-cols-3">
        <section className="lg:col-span-1">
          <h2 className="mb-2 text-sm font-semibold">Queues</h2>
          <DataTable columns={COUNT_COLUMNS} rows={counts} rowKey={(c) => `${c.name}:${c.state}`} empty="No jobs yet." />
        </section>
        <section className="lg:col-span-2">
          <h2 className="mb-2 text-sm font-semibold">Failed and dead-lettered jobs</h2>
          <DataTable columns={DEAD_COLUMNS} rows={dead} rowKey={(j) => j.id} empty="No job has given up." />
        </section>
      </div>
    </>
  );
}
