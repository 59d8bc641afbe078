"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { importOrderFileAction } from "./actions";
import { chosenCsvProblem } from "@/components/csv-file-check";

const FIELD =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

type Answer = FormResult<{ importId: number; imported: number; unchanged: number; refused: number }> | null;

/** Upload a file of orders in the orders export's columns; the outcome and its error report appear below. */
export function FileForm() {
  const t = useTranslations("orders.import.file");
  const [answer, action, pending] = useActionState<Answer, FormData>(importOrderFileAction, null);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        const found = chosenCsvProblem(event.currentTarget);
        setProblem(found && t(found));
        if (found) event.preventDefault();
      }}
      className="space-y-3"
    >
      <label className="block text-sm font-medium text-slate-700">
        {t("file")}
        <input
          name="file"
          type="file"
          accept=".csv,text/csv"
          required
          className={`${FIELD} file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1`}
        />
      </label>
      <p className="text-xs text-slate-600">{t("format")}</p>
      {(problem || (answer && !answer.ok)) && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {problem ?? (answer && !answer.ok ? answer.error : null)}
        </p>
      )}
      {answer?.ok && (
        <p role="status" className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {t("done", answer.data)}{" "}
          {answer.data.refused > 0 && (
            <a
              href={`/orders/import/${answer.data.importId}/errors`}
              download
              className="font-medium text-brand-700 hover:underline"
            >
              {t("errorReport")}
            </a>
          )}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
