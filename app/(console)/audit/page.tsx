import type { Metadata } from "next";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { auditFiltersSchema, listAuditActions, listAuditEntries, type AuditListRow } from "@/lib/db/queries/audit";

export const metadata: Metadata = { title: "Audit log" };

const dash = <span className="text-slate-400">—</span>;

function Details({ details }: { details: Record<string, unknown> }) {
  if (Object.keys(details).length === 0) return dash;
  const json = JSON.stringify(details);
  return (
    <details className="max-w-md">
      <summary className="cursor-pointer truncate font-mono text-xs text-slate-600">{json}</summary>
      <pre className="mt-1 rounded-md bg-slate-50 p-2 font-mono text-xs break-all whitespace-pre-wrap text-slate-800">{json}</pre>
    </details>
  );
}

const COLUMNS: Column<AuditListRow>[] = [
  { header: "At", cell: (e) => <DateTime value={e.at} /> },
  { header: "Actor", cell: (e) => <span className="whitespace-nowrap">{e.actorLabel}</span> },
  { header: "Action", cell: (e) => <span className="font-mono text-xs whitespace-nowrap">{e.action}</span> },
  {
    header: "Target",
    cell: (e) => (e.targetType ? <span className="font-mono text-xs">{`${e.targetType}:${e.targetId ?? ""}`}</span> : dash),
  },
  { header: "IP", cell: (e) => (e.ip ? <span className="font-mono text-xs">{e.ip}</span> : dash) },
  { header: "Details", cell: (e) => <Details details={e.details} /> },
];

type Search = Record<string, string | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser();
  const params = await searchParams;
  const filters = auditFiltersSchema.parse(params);
  const db = getDb();
  const [{ rows, nextCursor }, actions] = await Promise.all([listAuditEntries(db, filters), listAuditActions(db)]);

  return (
    <>
      <PageHeader title="Audit log" subtitle="Who did what, newest first. Entries are append-only. Times are Beijing time." />
      <FilterBar action="/audit">
        <FilterField label="Action">
          <FilterSelect name="action" defaultValue={params.action} options={[{ value: "", label: "Any" }, ...actions.map((a) => ({ value: a, label: a }))]} />
        </FilterField>
        <FilterField label="Actor">
          <FilterInput name="actor" defaultValue={params.actor} placeholder="Email or part of it" className="w-56" />
        </FilterField>
        <FilterField label="From">
          <FilterInput name="from" type="date" defaultValue={params.from} />
        </FilterField>
        <FilterField label="To">
          <FilterInput name="to" type="date" defaultValue={params.to} />
        </FilterField>
      </FilterBar>
      <DataTable columns={COLUMNS} rows={rows} rowKey={(e) => e.id} empty="No audit entries match these filters." />
      <Pager path="/audit" params={params} nextCursor={nextCursor} />
    </>
  );
}
