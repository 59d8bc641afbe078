import Link from "next/link";
import { ChevronRight, CircleCheck } from "lucide-react";
import { getTranslations } from "next-intl/server";
import type { CurrentState } from "@/lib/db/queries/dashboard";
import { withQuery } from "./range-bar";

/**
 * Refunds someone must act on, of any date: each row opens the refunds list filtered to exactly those refunds
 * (`problem` narrows PENDING refunds to the unanswered and the failing ones).
 */
export async function Attention({ state }: { state: CurrentState }) {
  const t = await getTranslations("dashboard.attention");
  const items = [
    { key: "abnormal", count: state.abnormalCount, query: { status: "ABNORMAL" } },
    { key: "failed", count: state.failedCount, query: { status: "FAILED" } },
    {
      key: "outcomeUnknown",
      count: state.outcomeUnknownCount,
      query: { status: "PENDING", problem: "outcome_unknown" },
    },
    {
      key: "pendingWithError",
      count: state.pendingWithErrorCount,
      query: { status: "PENDING", problem: "with_error" },
    },
  ] as const;
  const allClear = items.every((item) => item.count === 0);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="attention-title">
      <h2 id="attention-title" className="text-sm font-semibold text-slate-900">
        {t("title")}
      </h2>
      <p className="text-xs text-slate-500">{t("subtitle")}</p>
      {allClear ? (
        <p className="mt-4 flex items-center gap-2 text-sm text-emerald-700">
          <CircleCheck className="h-4 w-4" aria-hidden />
          {t("allClear")}
        </p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100">
          {items.map((item) => (
            <li key={item.key}>
              <Link
                href={withQuery("/refunds", item.query)}
                className="group flex items-center justify-between gap-3 py-2 text-sm hover:text-brand-700"
                data-testid={`attention-${item.key}`}
              >
                <span className={item.count > 0 ? "text-slate-800" : "text-slate-400"}>{t(item.key)}</span>
                <span className="flex items-center gap-1">
                  <span
                    className={`min-w-8 rounded-full px-2 py-0.5 text-center text-xs font-semibold tabular-nums ${
                      item.count > 0
                        ? "bg-red-50 text-red-700 ring-1 ring-red-600/20 ring-inset"
                        : "bg-slate-100 text-slate-400"
                    }`}
                  >
                    {item.count}
                  </span>
                  <ChevronRight className="h-4 w-4 text-slate-300 group-hover:text-brand-700" aria-hidden />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
