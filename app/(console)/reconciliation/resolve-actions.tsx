"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import type { MismatchKind } from "@/lib/db/schema";
import type { Resolved } from "@/lib/reconciliation/resolve";
import { acceptMismatchAction, explainMismatchAction, queryMismatchAction } from "./actions";

type Answer = FormResult<Resolved> | null;
const BUTTON =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50";

function Outcome({ answer }: { answer: Answer }) {
  const t = useTranslations("reconciliation.resolve");
  if (!answer) return null;
  if (!answer.ok) {
    return (
      <p role="alert" className="text-xs text-red-700">
        {answer.error}
      </p>
    );
  }
  return (
    <p role="status" className={`text-xs ${answer.data.resolved ? "text-emerald-700" : "text-amber-800"}`}>
      {answer.data.resolved ? t("resolved") : t("stillOpen", { status: answer.data.wechatStatus ?? "?" })}
    </p>
  );
}

/** The three ways to resolve a mismatch: ask WeChat now, take the bill's value, or explain it with a note. */
export function ResolveActions({ id, kind }: { id: number; kind: MismatchKind }) {
  const t = useTranslations("reconciliation.resolve");
  const [queried, query, querying] = useActionState<Answer, FormData>(queryMismatchAction, null);
  const [accepted, accept, accepting] = useActionState<Answer, FormData>(acceptMismatchAction, null);
  const [explained, explain, explaining] = useActionState<Answer, FormData>(explainMismatchAction, null);
  const [noting, setNoting] = useState(false);
  const acceptable = kind === "AMOUNT_DIFFERS" || kind === "NOT_SUCCESS_IN_CONSOLE";
  return (
    <div className="flex min-w-56 flex-col gap-1.5">
      <div className="flex flex-wrap gap-1.5">
        <form action={query}>
          <input type="hidden" name="id" value={id} />
          <button type="submit" disabled={querying} className={BUTTON}>
            {t("query")}
          </button>
        </form>
        {acceptable && (
          <form action={accept}>
            <input type="hidden" name="id" value={id} />
            <button type="submit" disabled={accepting} className={BUTTON}>
              {t("accept")}
            </button>
          </form>
        )}
        {!noting && (
          <button type="button" onClick={() => setNoting(true)} className={BUTTON}>
            {t("explain")}
          </button>
        )}
      </div>
      {noting && (
        <form action={explain} className="flex flex-col gap-1.5">
          <input type="hidden" name="id" value={id} />
          <label className="text-xs font-medium text-slate-600">
            {t("note")}
            <textarea
              name="note"
              required
              maxLength={500}
              rows={2}
              placeholder={t("notePlaceholder")}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-xs focus:border-brand-500 focus:outline-none"
            />
          </label>
          <div className="flex gap-1.5">
            <button
              type="submit"
              disabled={explaining}
              className="rounded-md bg-slate-900 px-2 py-1 text-xs font-semibold text-white hover:bg-slate-700 disabled:opacity-50"
            >
              {t("confirmExplain")}
            </button>
            <button type="button" onClick={() => setNoting(false)} className={BUTTON}>
              {t("cancel")}
            </button>
          </div>
        </form>
      )}
      <Outcome answer={queried} />
      <Outcome answer={accepted} />
      <Outcome answer={explained} />
    </div>
  );
}
