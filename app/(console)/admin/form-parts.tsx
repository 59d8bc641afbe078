"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { FormResult } from "@/lib/action-result";

/** The input style of the admin forms. */
export const FIELD =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none";
export const PRIMARY_BUTTON =
  "rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60";
export const SECONDARY_BUTTON =
  "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60";
export const DANGER_BUTTON =
  "rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60";

/** Field errors of a failed action, by field name. */
export function fieldErrorsOf(state: FormResult<unknown> | null): Record<string, string[]> {
  return state && !state.ok ? (state.fieldErrors ?? {}) : {};
}

/**
 * Field errors are codes (`REQUIRED`, `APIV3_KEY_LENGTH`…) translated here; a message that is not a known code is
 * shown as it came.
 */
export function FieldErrors({ messages }: { messages: string[] | undefined }) {
  const t = useTranslations("admin.errors");
  if (!messages?.length) return null;
  return (
    <span className="mt-1 block text-xs font-normal text-red-700">
      {messages.map((m) => (t.has(m) ? t(m) : m)).join(" ")}
    </span>
  );
}

/** A labelled field with its errors below. */
export function Field({
  label,
  hint,
  errors,
  children,
}: {
  label: string;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}) {
  return (
    <label className="block text-sm font-medium text-slate-700">
      {label}
      {children}
      {hint && <span className="mt-1 block text-xs font-normal text-slate-500">{hint}</span>}
      <FieldErrors messages={errors} />
    </label>
  );
}

/** The server's answer to a form: its bilingual error, or a success line. */
export function ActionMessage({ state, success }: { state: FormResult<unknown> | null; success?: ReactNode }) {
  if (state && !state.ok) {
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
        {state.error}
      </p>
    );
  }
  if (state?.ok && success) {
    return (
      <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {success}
      </p>
    );
  }
  return null;
}

/** A secret shown once (a generated password, a new API key), with a copy button. */
export function ShownOnce({ label, value, note }: { label: string; value: string; note: string }) {
  const t = useTranslations("admin.common");
  return (
    <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium text-amber-900">{label}</p>
      <div className="mt-2 flex items-center gap-2">
        <code
          data-testid="shown-once"
          className="rounded bg-white px-2 py-1 font-mono text-sm break-all text-slate-900 ring-1 ring-amber-200"
        >
          {value}
        </code>
        <button type="button" className={SECONDARY_BUTTON} onClick={() => void navigator.clipboard?.writeText(value)}>
          {t("copy")}
        </button>
      </div>
      <p className="mt-2 text-amber-800">{note}</p>
    </div>
  );
}
