import type { ReactNode } from "react";
import { getFormatter, getTranslations } from "next-intl/server";
import { Money } from "@/components/money";
import { outcomeRate, type CurrentState, type RangeSummary } from "@/lib/db/queries/dashboard";

function Tile({
  id,
  label,
  value,
  hint,
  tone = "text-slate-900",
}: {
  id: string;
  label: string;
  value: ReactNode;
  hint: ReactNode;
  tone?: string;
}) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`tile-${id}`}>
      <p className="text-xs font-medium text-slate-500">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums ${tone}`}>{value}</p>
      <p className="mt-1 text-xs text-slate-500">{hint}</p>
    </div>
  );
}

type DurationText = Awaited<ReturnType<typeof getTranslations<"dashboard.duration">>>;

/** A duration as a person reads it: the two largest units, `1 min 30 s`, `2 h 5 min`. */
function formatDuration(seconds: number, t: DurationText): string {
  const s = seconds % 60;
  const m = Math.floor(seconds / 60) % 60;
  const h = Math.floor(seconds / 3600) % 24;
  const d = Math.floor(seconds / 86_400);
  if (d > 0) return t("days", { d, h });
  if (h > 0) return t("hours", { h, m });
  if (m > 0) return t("minutes", { m, s });
  return t("seconds", { s });
}

/** The period's figures and what is in flight now. Rates are shares of the refunds that reached an outcome. */
export async function Tiles({ summary, state }: { summary: RangeSummary; state: CurrentState }) {
  const t = await getTranslations("dashboard.tiles");
  const duration = await getTranslations("dashboard.duration");
  const format = await getFormatter();
  const rateTile = (id: string, label: string, count: number, tone: string) => {
    const rate = outcomeRate(count, summary);
    return (
      <Tile
        id={id}
        label={label}
        value={rate === null ? "—" : format.number(rate, { style: "percent", maximumFractionDigits: 1 })}
        hint={rate === null ? t("noOutcome") : t("rateHint", { count, final: summary.finalCount })}
        tone={rate === null ? "text-slate-400" : tone}
      />
    );
  };
  const abnormalTone = summary.abnormalCount > 0 ? "text-red-700" : "text-slate-900";
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
      <Tile
        id="refunded"
        label={t("refunded")}
        value={<Money fen={summary.refundedFen} />}
        hint={t("refundedHint", { count: summary.refundedCount })}
      />
      {rateTile("success-rate", t("successRate"), summary.refundedCount, "text-emerald-700")}
      {rateTile("closed-rate", t("closedRate"), summary.closedCount, "text-slate-900")}
      {rateTile("abnormal-rate", t("abnormalRate"), summary.abnormalCount, abnormalTone)}
      <Tile
        id="time-to-success"
        label={t("timeToSuccess")}
        value={summary.p50SuccessSeconds === null ? "—" : formatDuration(summary.p50SuccessSeconds, duration)}
        hint={
          summary.p90SuccessSeconds === null
            ? t("noTime")
            : t("timeHint", { p90: formatDuration(summary.p90SuccessSeconds, duration) })
        }
        tone={summary.p50SuccessSeconds === null ? "text-slate-400" : undefined}
      />
      <Tile
        id="in-flight"
        label={t("inFlight")}
        value={<Money fen={state.inFlightFen} />}
        hint={t("inFlightHint", { count: state.inFlightCount })}
        tone="text-sky-700"
      />
    </div>
  );
}
