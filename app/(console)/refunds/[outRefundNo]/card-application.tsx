"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { decideBankCardApplicationAction } from "./actions";

export interface CardApplicationView {
  id: number;
  bank: string;
  maskedAccount: string;
  maskedName: string;
  enteredByName: string;
  enteredAt: string;
}

/**
 * A bank card application waiting for a second approver: what was entered (masked), by whom, and — for an approver
 * other than that person — approve (sends it to WeChat Pay) or reject with a note. The server checks both again.
 */
export function CardApplication({
  application,
  viewer,
}: {
  application: CardApplicationView;
  /** Who is looking: the approver who entered it, another approver (who decides), or someone who may not decide. */
  viewer: "enterer" | "decider" | "onlooker";
}) {
  const t = useTranslations("refunds.abnormal.card");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(
    decideBankCardApplicationAction,
    null,
  );
  const [note, setNote] = useState("");
  return (
    <div className="space-y-3" data-testid="card-application">
      <h3 className="text-sm font-medium text-slate-900">{t("title")}</h3>
      <p className="text-sm text-slate-700">
        {t("waiting", { name: application.enteredByName, at: application.enteredAt })}
      </p>
      <dl className="grid max-w-xl grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-500">{t("bank")}</dt>
        <dd>{application.bank}</dd>
        <dt className="text-slate-500">{t("account")}</dt>
        <dd className="font-mono">{application.maskedAccount}</dd>
        <dt className="text-slate-500">{t("name")}</dt>
        <dd>{application.maskedName}</dd>
      </dl>
      {viewer === "decider" ? (
        <form action={action} className="flex flex-wrap items-end gap-3">
          <input type="hidden" name="applicationId" value={application.id} />
          <label className="block text-xs font-medium text-slate-600">
            {t("note")}
            <input
              name="note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              className="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <button
            type="submit"
            name="decision"
            value="approve"
            disabled={pending}
            className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60"
          >
            {t("approve")}
          </button>
          <button
            type="submit"
            name="decision"
            value="reject"
            disabled={pending}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
          >
            {t("reject")}
          </button>
        </form>
      ) : (
        <p className="text-sm text-amber-800">{t(viewer === "enterer" ? "otherApprover" : "approverDecides")}</p>
      )}
      {state && !state.ok && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state?.ok && state.message && (
        <p role="status" className="text-sm text-emerald-700">
          {state.message}
        </p>
      )}
    </div>
  );
}
