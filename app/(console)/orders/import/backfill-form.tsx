"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { requestBackfillAction } from "./actions";

const INPUT =
  "mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

/** A range of past days whose ALL bills become the merchant's orders; the work runs in the background. */
export function BackfillForm({ yesterday, earliest }: { yesterday: string; earliest: string }) {
  const t = useTranslations("orders.import.backfill");
  const [answer, action, pending] = useActionState<FormResult<{ backfillId: number; days: number }> | null, FormData>(
    requestBackfillAction,
    null,
  );
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <label className="block text-xs font-medium text-slate-600">
        {t("from")}
        <input
          type="date"
          name="fromDate"
          required
          defaultValue={yesterday}
          min={earliest}
          max={yesterday}
          className={INPUT}
        />
      </label>
      <label className="block text-xs font-medium text-slate-600">
        {t("to")}
        <input
          type="date"
          name="toDate"
          required
          defaultValue={yesterday}
          min={earliest}
          max={yesterday}
          className={INPUT}
        />
      </label>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {pending ? t("starting") : t("submit")}
      </button>
      {answer && !answer.ok && (
        <span role="alert" className="text-sm text-red-700">
          {answer.error}
        </span>
      )}
      {answer?.ok && (
        <span role="status" className="text-sm text-slate-700">
          {t("started", { days: answer.data.days })}
        </span>
      )}
    </form>
  );
}
