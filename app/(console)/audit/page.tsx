import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { presentFields } from "@/components/data-table";
import { DateRangeFields, FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { timeFormat } from "@/app/_server/time-format";
import { getDb } from "@/lib/db/client";
import { auditFiltersSchema, listAuditActions, listAuditEntries } from "@/lib/db/queries/audit";
import { AuditTable } from "./audit-table";

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
  const [{ rows, nextCursor }, logged, time] = await Promise.all([
    listAuditEntries(db, { merchantId: user.merchantId, withUnattributed: user.platformAdmin }, filters),
    listAuditActions(db),
    timeFormat(),
  ]);
  const actionLabel = (code: string) => (t.has(`actions.${code}`) ? t(`actions.${code}`) : code);
  // Every action the console writes, and any other the log holds (older or newer code), once each.
  const actions = [
    ...new Set([...codes(t.raw("actions")), ...logged, ...(filters.action ? [filters.action] : [])]),
  ].sort();

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
      <AuditTable
        rows={rows.map(presentFields)}
        text={{
          headers: {
            at: t("columns.at"),
            actor: t("columns.actor"),
            action: t("columns.action"),
            target: t("columns.target"),
            ip: t("columns.ip"),
            details: t("columns.details"),
          },
          empty: t("empty"),
          time,
        }}
      />
      <Pager path="/audit" params={params} nextCursor={nextCursor} />
    </>
  );
}
