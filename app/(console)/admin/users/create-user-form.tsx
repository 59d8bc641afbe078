"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { ROLES } from "@/lib/auth/roles";
import type { FormResult } from "@/lib/action-result";
import { ActionMessage, Field, FIELD, fieldErrorsOf, PRIMARY_BUTTON, ShownOnce } from "../form-parts";
import { createUserAction } from "./actions";

type Created = { id: string; email: string; generatedPassword?: string };

export function CreateUserForm() {
  const t = useTranslations("admin.users");
  const tRoles = useTranslations("common.roles");
  const [state, action, pending] = useActionState<FormResult<Created> | null, FormData>(createUserAction, null);
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <Field label={t("name")} errors={errors.name}>
          <input name="name" autoComplete="off" className={FIELD} />
        </Field>
        <Field label={t("email")} errors={errors.email}>
          <input name="email" type="email" autoComplete="off" className={FIELD} />
        </Field>
        <Field label={t("role")} errors={errors.role}>
          <select name="role" defaultValue="viewer" className={FIELD}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {tRoles(r)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("initialPassword")} hint={t("initialPasswordHint")} errors={errors.password}>
          <input name="password" type="password" autoComplete="new-password" className={FIELD} />
        </Field>
        <Field label={t("dailyLimitYuan")} hint={t("dailyLimitHint")} errors={errors.dailyLimit}>
          <input
            name="dailyLimit"
            inputMode="decimal"
            autoComplete="off"
            className={`${FIELD} text-right tabular-nums`}
          />
        </Field>
      </div>
      <ActionMessage
        state={state}
        success={
          state?.ok && !state.data.generatedPassword
            ? t("createdWithTypedPassword", { email: state.data.email })
            : undefined
        }
      />
      {state?.ok && state.data.generatedPassword && (
        <ShownOnce
          label={t("generatedPassword", { email: state.data.email })}
          value={state.data.generatedPassword}
          note={t("shownOnce")}
        />
      )}
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {pending ? t("creating") : t("createButton")}
      </button>
    </form>
  );
}
