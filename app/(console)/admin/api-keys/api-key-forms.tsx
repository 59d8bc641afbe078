"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { ActionMessage, DANGER_BUTTON, Field, FIELD, fieldErrorsOf, PRIMARY_BUTTON, ShownOnce } from "../form-parts";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

/** A new key for the current merchant; the key itself is shown here once and never again. */
export function CreateApiKeyForm({ merchant }: { merchant: { displayName: string; mchid: string } }) {
  const t = useTranslations("admin.apiKeys");
  const [state, action, pending] = useActionState<FormResult<{ key: string; prefix: string }> | null, FormData>(
    createApiKeyAction,
    null,
  );
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("name")} hint={t("nameHint")} errors={errors.name}>
          <input name="name" autoComplete="off" className={FIELD} />
        </Field>
        <Field label={t("merchant")}>
          <p className="py-1.5 text-sm text-slate-700">
            {merchant.displayName} ({merchant.mchid})
          </p>
        </Field>
      </div>
      <ActionMessage state={state?.ok ? null : state} />
      {state?.ok && (
        <ShownOnce
          label={t("createdKey", { prefix: state.data.prefix })}
          value={state.data.key}
          note={t("shownOnce")}
        />
      )}
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {t("create")}
      </button>
    </form>
  );
}

export function RevokeApiKeyButton({ id, name }: { id: string; name: string }) {
  const t = useTranslations("admin.apiKeys");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(revokeApiKeyAction, null);
  return (
    <form
      action={action}
      onSubmit={(e) => (window.confirm(t("revokeConfirm", { name })) ? undefined : e.preventDefault())}
      className="flex items-center gap-2"
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className={DANGER_BUTTON} aria-label={t("revokeNamed", { name })}>
        {t("revoke")}
      </button>
      {state && !state.ok && (
        <span role="alert" className="text-xs text-red-700">
          {state.error}
        </span>
      )}
    </form>
  );
}
