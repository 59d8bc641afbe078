"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { retryRefundAction } from "./actions";

/** Retry with the same out_refund_no and content, as WeChat requires: never a new refund. */
export function RetryButton({ outRefundNo, explanation }: { outRefundNo: string; explanation: string }) {
  const t = useTranslations("refunds.retry");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(retryRefundAction, null);
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="outRefundNo" value={outRefundNo} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {pending ? t("pending") : t("button")}
      </button>
      <span className="text-xs text-slate-500">{explanation}</span>
      {state && !state.ok && (
        <span role="alert" className="text-sm text-red-700">
          {state.error}
        </span>
      )}
      {state?.ok && state.message && <span className="text-sm text-emerald-700">{state.message}</span>}
    </form>
  );
}
