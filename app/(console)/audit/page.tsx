import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { DateRangeFields, FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { auditFiltersSchema, listAuditActions, listAuditEntries, type AuditListRow } from "@/lib/db/queries/audit";
import { AuditActor, AuditDetails, AuditTarget } from "./audit-cells";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("audit");
  return { title: t("title") };
}

/** `{ auth: { sign_in: "…" } }` → `["auth.sign_in"]`: the action codes the messages have labels for. */
function codes(tree: unknown, prefix = ""): string[] {
  if (typeof tree !== "object" || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([key, value]) => codes(value, prefix ? `${prefix}.${key}` : key));
}

type Search = Record<string, string | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const t = await getTranslations("audit");
  const params = await searchParams;
  const filters = auditFiltersSchema.parse(params);
  const db = getDb();
  const [{ rows, nextCursor }, logged] = await Promise.all([
    listAuditEntries(db, { merchantId: user.merchantId, withUnattributed: user.platformAdmin }, filters),
    listAuditActions(db),
  ]);
  const actionLabel = (code: string) => (t.has(`actions.${code}`) ? t(`actions.${code}`) : code);
  // Every action the console writes, and any other the log holds (older or newer code), once each.
  const actions = [
    ...new Set([...codes(t.raw("actions")), ...logged, ...(filters.action ? [filters.action] : [])]),
  ].sort();

  const columns: Column<AuditListRow>[] = [
    { header: t("columns.at"), cell: (e) => <DateTime value={e.at} /> },
    { header: t("columns.actor"), cell: (e) => <AuditActor e={e} /> },
    {
      header: t("columns.action"),
      cell: (e) => (
        <span
          title={e.action}
          className={`whitespace-nowrap ${e.action === "auth.sign_in_failed" ? "font-medium text-red-700" : "text-slate-900"}`}
        >
          {actionLabel(e.action)}
        </span>
      ),
    },
    { header: t("columns.target"), cell: (e) => <AuditTarget e={e} /> },
    {
      header: t("columns.ip"),
      cell: (e) =>
        e.ip ? <span className="font-mono text-xs">{e.ip}</span> : <span className="text-slate-400">—</span>,
    },
    { header: t("columns.details"), cell: (e) => <AuditDetails e={e} /> },
  ];

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <FilterBar action="/audit">
        <FilterField label={t("filters.actor")}>
          <FilterInput
            name="actor"
            defaultValue={filters.actor}
            placeholder={t("filters.actorPlaceholder")}
            className="w-56"
          />
        </FilterField>
        <FilterField label={t("filters.action")}>
          <FilterSelect
            name="action"
            defaultValue={filters.action}
            options={[
              { value: "", label: t("filters.any") },
              ...actions.map((a) => ({ value: a, label: actionLabel(a) })),
            ]}
          />
        </FilterField>
        <FilterField label={t("filters.target")}>
          <FilterInput
            name="target"
            defaultValue={filters.target}
            placeholder={t("filters.targetPlaceholder")}
            className="w-56"
          />
        </FilterField>
        <DateRangeFields label={t("filters.date")} params={filters} />
      </FilterBar>
      <DataTable columns={columns} rows={rows} rowKey={(e) => e.id} empty={t("empty")} />
      <Pager path="/audit" params={params} nextCursor={nextCursor} />
    </>
  );
}
