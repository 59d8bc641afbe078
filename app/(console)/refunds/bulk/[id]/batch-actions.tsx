"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import type { BulkBatchStatus } from "@/lib/db/schema";
import {
  cancelBatchAction,
  confirmBatchAction,
  decideBatchAction,
  pauseBatchAction,
  resumeBatchAction,
} from "../actions";

type Action = (
  previous: FormResult<{ status: BulkBatchStatus }> | null,
  formData: FormData,
) => Promise<FormResult<{ status: BulkBatchStatus }>>;

const ACTIONS = {
  confirm: confirmBatchAction,
  pause: pauseBatchAction,
  resume: resumeBatchAction,
  cancel: cancelBatchAction,
} satisfies Record<string, Action>;

const TONES = {
  primary: "bg-brand-600 text-white hover:bg-brand-700",
  danger: "bg-red-600 text-white hover:bg-red-700",
  plain: "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50",
} as const;

/** One button that runs one batch action; the page re-renders from the server when it succeeds. */
export function BatchActionButton({
  kind,
  batchId,
  label,
  tone = "plain",
  confirmText,
}: {
  kind: keyof typeof ACTIONS;
  batchId: number;
  label: string;
  tone?: keyof typeof TONES;
  /** Asked in the browser before the action runs. */
  confirmText?: string;
}) {
  const [state, action, pending] = useActionState<FormResult<{ status: BulkBatchStatus }> | null, FormData>(
    ACTIONS[kind],
    null,
  );
  return (
    <form
      action={action}
      onSubmit={(event) => confirmText && !window.confirm(confirmText) && event.preventDefault()}
      className="inline-flex flex-col gap-1"
    >
      <input type="hidden" name="batchId" value={batchId} />
      <button
        type="submit"
        disabled={pending}
        className={`rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-60 ${TONES[tone]}`}
      >
        {label}
      </button>
      {state && !state.ok && (
        <span role="alert" className="text-xs text-red-700">
          {state.error}
        </span>
      )}
    </form>
  );
}

/** Approve or reject a batch as a whole, with an optional note kept in the audit log. */
export function DecisionForm({ batchId }: { batchId: number }) {
  const t = useTranslations("bulk.approval");
  const [state, action, pending] = useActionState<FormResult<{ status: BulkBatchStatus }> | null, FormData>(
    decideBatchAction,
    null,
  );
  const [note, setNote] = useState("");
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="batchId" value={batchId} />
      <label className="block text-sm font-medium text-slate-700">
        {t("note")}
        <input
          name="note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={200}
          className="mt-1 block w-72 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none"
        />
      </label>
      <button
        type="submit"
        name="decision"
        value="approve"
        disabled={pending}
        className={`rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-60 ${TONES.primary}`}
      >
        {t("approve")}
      </button>
      <button
        type="submit"
        name="decision"
        value="reject"
        disabled={pending}
        className={`rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-60 ${TONES.danger}`}
      >
        {t("reject")}
      </button>
      {state && !state.ok && (
        <p role="alert" className="w-full text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
