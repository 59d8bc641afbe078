"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { approveRefundAction, rejectRefundAction } from "./actions";

type Answer = FormResult<{ outRefundNo: string }> | null;

/** Approve, or reject with a note, one waiting refund. The server checks the role and the four-eyes rule again. */
export function DecisionButtons({ outRefundNo, amount }: { outRefundNo: string; amount: string }) {
  const t = useTranslations("approvals.decision");
  const [approved, approve, approving] = useActionState<Answer, FormData>(approveRefundAction, null);
  const [rejected, reject, rejecting] = useActionState<Answer, FormData>(rejectRefundAction, null);
  const [noting, setNoting] = useState(false);
  const failed = [approved, rejected].find((a) => a && !a.ok);
  const noteError = rejected && !rejected.ok ? rejected.fieldErrors?.note?.[0] : undefined;
  const busy = approving || rejecting;

  return (
    <div className="flex min-w-64 flex-col items-end gap-1.5">
      {noting ? (
        <form action={reject} className="flex w-full flex-col gap-1.5">
          <input type="hidden" name="outRefundNo" value={outRefundNo} />
          <label className="text-xs font-medium text-slate-600">
            {t("noteLabel")}
            <textarea
              name="note"
              rows={2}
              required
              maxLength={500}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
          </label>
          {noteError && (
            <span className="text-xs text-red-700">
              {t(noteError === "noteTooLong" ? "noteTooLong" : "noteRequired")}
            </span>
          )}
          <div className="flex justify-end gap-2">
            <button
              type="button"
              onClick={() => setNoting(false)}
              className="rounded-md px-2.5 py-1 text-sm text-slate-600 hover:bg-slate-100"
            >
              {t("cancel")}
            </button>
            <button
              type="submit"
              disabled={busy}
              className="rounded-md bg-red-600 px-2.5 py-1 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60"
            >
              {t("confirmReject", { amount })}
            </button>
          </div>
        </form>
      ) : (
        <div className="flex gap-2">
          <form action={approve}>
            <input type="hidden" name="outRefundNo" value={outRefundNo} />
            <button
              type="submit"
              disabled={busy}
              className="rounded-md bg-emerald-600 px-2.5 py-1 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-60"
            >
              {approving ? t("approving") : t("approve", { amount })}
            </button>
          </form>
          <button
            type="button"
            onClick={() => setNoting(true)}
            disabled={busy}
            className="rounded-md border border-slate-300 px-2.5 py-1 text-sm text-slate-700 hover:bg-slate-50"
          >
            {t("reject")}
          </button>
        </div>
      )}
      {failed && !failed.ok && (
        <p role="alert" className="text-xs text-red-700">
          {failed.error}
        </p>
      )}
    </div>
  );
}
