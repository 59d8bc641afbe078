"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { addReasonAction, moveReasonAction, renameReasonAction, setReasonActiveAction } from "./actions";

type Answer = FormResult<undefined> | null;
const INPUT =
  "block w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus:border-brand-500 focus:outline-none";
const BUTTON =
  "rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-50 disabled:opacity-40";

function Failure({ answer }: { answer: Answer }) {
  if (!answer || answer.ok) return null;
  return (
    <p role="alert" className="mt-1 text-xs text-red-700">
      {answer.error}
    </p>
  );
}

/**
 * `maxLength` bounds what can be typed at WeChat's limit for a reason (MAX_REASON_BYTES; the server counts the bytes),
 * passed in so no server module reaches the browser.
 */
export function AddReasonForm({ maxLength }: { maxLength: number }) {
  const t = useTranslations("reasons");
  const [answer, action, pending] = useActionState<Answer, FormData>(addReasonAction, null);
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      <label className="block min-w-80 flex-1 text-xs font-medium text-slate-600">
        {t("newLabel")}
        <input
          name="label"
          maxLength={maxLength}
          required
          className={`mt-1 ${INPUT}`}
          placeholder={t("newPlaceholder")}
        />
      </label>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {t("add")}
      </button>
      <div className="w-full">
        <Failure answer={answer} />
      </div>
    </form>
  );
}

/** One reason: rename it in place, move it, retire or restore it. */
export function ReasonRow(props: {
  id: number;
  label: string;
  active: boolean;
  first: boolean;
  last: boolean;
  maxLength: number;
}) {
  const { id, label, active, first, last, maxLength } = props;
  const t = useTranslations("reasons");
  const [renamed, rename, renaming] = useActionState<Answer, FormData>(renameReasonAction, null);
  const [moved, move, moving] = useActionState<Answer, FormData>(moveReasonAction, null);
  const [toggled, toggle, toggling] = useActionState<Answer, FormData>(setReasonActiveAction, null);
  return (
    <li
      className={`flex flex-wrap items-start gap-2 px-3 py-2 ${active ? "" : "bg-slate-50"}`}
      data-testid="reason-row"
    >
      <form action={move} className="flex gap-1">
        <input type="hidden" name="id" value={id} />
        <button
          type="submit"
          name="direction"
          value="up"
          disabled={first || moving}
          className={BUTTON}
          aria-label={t("moveUp", { label })}
        >
          ↑
        </button>
        <button
          type="submit"
          name="direction"
          value="down"
          disabled={last || moving}
          className={BUTTON}
          aria-label={t("moveDown", { label })}
        >
          ↓
        </button>
      </form>
      <form action={rename} className="flex min-w-80 flex-1 gap-2">
        <input type="hidden" name="id" value={id} />
        <input
          name="label"
          defaultValue={label}
          maxLength={maxLength}
          aria-label={t("labelOf", { label })}
          className={`${INPUT} ${active ? "" : "text-slate-500"}`}
        />
        <button type="submit" disabled={renaming} className={BUTTON}>
          {t("rename")}
        </button>
      </form>
      {!active && <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs text-slate-600">{t("retired")}</span>}
      <form action={toggle}>
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="active" value={String(!active)} />
        <button type="submit" disabled={toggling} className={BUTTON}>
          {active ? t("retire") : t("restore")}
        </button>
      </form>
      <div className="w-full">
        <Failure answer={renamed} />
        <Failure answer={moved} />
        <Failure answer={toggled} />
      </div>
    </li>
  );
}
