"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useActionState, useEffect, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { uploadBatchAction } from "./actions";
import { chosenCsvProblem } from "@/components/csv-file-check";

const FIELD =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none";
const EXAMPLE = 'out_trade_no,amount,reason\nT202611200001,12.50,商品缺货\nT202611200002,full,"Damaged, replaced"';

/**
 * Upload a CSV of the current merchant's orders; the server checks every line and stores a preview, which this form
 * then opens.
 */
export function UploadForm({ merchantLabel }: { merchantLabel: string }) {
  const t = useTranslations("bulk.upload");
  const router = useRouter();
  const [state, action, pending] = useActionState<FormResult<{ batchId: number; encoding: string }> | null, FormData>(
    uploadBatchAction,
    null,
  );
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (state?.ok)
      router.push(`/refunds/bulk/${state.data.batchId}${state.data.encoding === "gb18030" ? "?read=gbk" : ""}`);
  }, [state, router]);

  return (
    <section aria-labelledby="bulk-upload" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="bulk-upload" className="mb-3 text-sm font-semibold text-slate-900">
        {t("title")}
      </h2>
      <form
        action={action}
        onSubmit={(event) => {
          const found = chosenCsvProblem(event.currentTarget);
          setProblem(found && t(found));
          if (found) event.preventDefault();
        }}
        className="grid gap-4 lg:grid-cols-2"
      >
        <div className="space-y-3">
          <p className="text-sm font-medium text-slate-700">
            {t("merchant")}
            <span className="mt-1 block font-normal text-slate-600">{merchantLabel}</span>
          </p>
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
          {(problem || (state && !state.ok)) && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {problem ?? (state && !state.ok ? state.error : null)}
            </p>
          )}
          <div className="flex items-center gap-3">
            <button
              type="submit"
              disabled={pending}
              className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
            >
              {pending ? t("submitting") : t("submit")}
            </button>
            <span className="text-xs text-slate-500">{t("nothingRuns")}</span>
          </div>
        </div>
        <div className="space-y-2 text-xs text-slate-600">
          <p>{t("format")}</p>
          <p>{t("limits")}</p>
          <p className="font-medium text-slate-700">{t("example")}</p>
          <pre className="overflow-x-auto rounded-md bg-slate-50 p-2 font-mono text-xs text-slate-700">{EXAMPLE}</pre>
        </div>
      </form>
    </section>
  );
}
