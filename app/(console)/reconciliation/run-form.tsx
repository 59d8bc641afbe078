"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { runReconciliationAction } from "./actions";

type Answer = FormResult<{ billDate: string; status: string; dayId: number }> | null;
const INPUT =
  "mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

/**
 * Reconcile the current merchant's bill of any past day now (a re-run replaces the day's lines and re-checks its
 * mismatches). `fixed`: re-run exactly `defaultDate`, as a bill day's page does.
 */
export function RunForm({ defaultDate, fixed = false }: { defaultDate: string; fixed?: boolean }) {
  const t = useTranslations("reconciliation");
  const [answer, action, pending] = useActionState<Answer, FormData>(runReconciliationAction, null);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      {fixed ? (
        <input type="hidden" name="billDate" value={defaultDate} />
      ) : (
        <label className="block text-xs font-medium text-slate-600">
          {t("run.date")}
          <input type="date" name="billDate" required defaultValue={defaultDate} max={defaultDate} className={INPUT} />
        </label>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {pending ? t("run.running") : fixed ? t("day.rerun") : t("run.submit")}
      </button>
      {answer && !answer.ok && (
        <span role="alert" className="text-sm text-red-700">
          {answer.error}
        </span>
      )}
      {answer?.ok && (
        <span role="status" className="text-sm text-slate-700">
          {t("run.done", { date: answer.data.billDate, status: t(`status.${answer.data.status}`) })}
        </span>
      )}
    </form>
  );
}
