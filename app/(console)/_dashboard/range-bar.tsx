import Link from "next/link";
import { Download } from "lucide-react";
import { getTranslations } from "next-intl/server";
import { FilterField, FilterInput } from "@/components/filter-bar";
import { DASHBOARD_PRESETS, type DashboardRange } from "@/lib/db/queries/dashboard";

/** `path?query` without empty values. */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])),
  ).toString();
  return query ? `${path}?${query}` : path;
}

/**
 * The period, kept in the URL: rolling presets as links (a bookmark stays "the last 7 days"), a custom range through a
 * GET form, and the CSV of the same refunds. The merchant is the one the header's switcher names.
 */
export async function RangeBar({ range }: { range: DashboardRange }) {
  const t = await getTranslations("dashboard");
  return (
    <div className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3">
      <div
        role="group"
        aria-label={t("range.label")}
        className="flex overflow-hidden rounded-md border border-slate-300 text-sm"
      >
        {DASHBOARD_PRESETS.map((days) => (
          <Link
            key={days}
            href={withQuery("/", { days: String(days) })}
            aria-current={range.preset === days ? "page" : undefined}
            className={`px-3 py-1.5 whitespace-nowrap not-first:border-l not-first:border-slate-300 ${
              range.preset === days ? "bg-slate-900 font-medium text-white" : "text-slate-700 hover:bg-slate-100"
            }`}
          >
            {t("range.preset", { days })}
          </Link>
        ))}
      </div>
      <form action="/" method="get" className="flex flex-wrap items-end gap-3">
        <FilterField label={t("range.from")}>
          <FilterInput name="from" type="date" defaultValue={range.from} />
        </FilterField>
        <FilterField label={t("range.to")}>
          <FilterInput name="to" type="date" defaultValue={range.to} />
        </FilterField>
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
        >
          {t("range.apply")}
        </button>
      </form>
      <a
        href={withQuery("/api/export/refunds", { from: range.from, to: range.to })}
        download
        className="ml-auto flex items-center gap-1.5 rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
      >
        <Download className="h-4 w-4" aria-hidden />
        {t("export")}
      </a>
    </div>
  );
}
