"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { ROLES } from "@/lib/auth/roles";
import type { UserRole } from "@/lib/db/schema";
import {
  ActionMessage,
  DANGER_BUTTON,
  Field,
  FIELD,
  fieldErrorsOf,
  PRIMARY_BUTTON,
  SECONDARY_BUTTON,
  ShownOnce,
} from "../../form-parts";
import {
  changeRoleAction,
  removeMemberAction,
  resetPasswordAction,
  setDailyLimitAction,
  setDisabledAction,
} from "../actions";

interface EditedUser {
  id: string;
  email: string;
  role: UserRole;
  disabled: boolean;
  dailyLimitYuan: string;
}

const CARD = "rounded-lg border border-slate-200 bg-white p-4";

/** The admin's changes to one account, each its own small form and audited on its own. */
export function UserForms({ user, isSelf, merchantName }: { user: EditedUser; isSelf: boolean; merchantName: string }) {
  const t = useTranslations("admin.users");
  const tRoles = useTranslations("common.roles");
  const [roleState, roleAction, rolePending] = useActionState<FormResult<null> | null, FormData>(
    changeRoleAction,
    null,
  );
  const [limitState, limitAction, limitPending] = useActionState<FormResult<null> | null, FormData>(
    setDailyLimitAction,
    null,
  );
  const [passwordState, passwordAction, passwordPending] = useActionState<
    FormResult<{ generatedPassword?: string }> | null,
    FormData
  >(resetPasswordAction, null);
  const [disableState, disableAction, disablePending] = useActionState<FormResult<null> | null, FormData>(
    setDisabledAction,
    null,
  );
  const [removeState, removeAction, removePending] = useActionState<FormResult<null> | null, FormData>(
    removeMemberAction,
    null,
  );

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <form action={roleAction} className={`${CARD} space-y-3`}>
        <input type="hidden" name="userId" value={user.id} />
        <Field label={t("role")} errors={fieldErrorsOf(roleState).role}>
          <select name="role" defaultValue={user.role} className={FIELD}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {tRoles(r)}
              </option>
            ))}
          </select>
        </Field>
        <ActionMessage state={roleState} success={t("saved")} />
        <button type="submit" disabled={rolePending} className={PRIMARY_BUTTON}>
          {t("changeRole")}
        </button>
      </form>

      <form action={limitAction} className={`${CARD} space-y-3`} noValidate>
        <input type="hidden" name="userId" value={user.id} />
        <Field label={t("dailyLimitYuan")} hint={t("dailyLimitHint")} errors={fieldErrorsOf(limitState).dailyLimit}>
          <input
            name="dailyLimit"
            defaultValue={user.dailyLimitYuan}
            inputMode="decimal"
            autoComplete="off"
            className={`${FIELD} text-right tabular-nums`}
          />
        </Field>
        <ActionMessage state={limitState} success={t("saved")} />
        <button type="submit" disabled={limitPending} className={PRIMARY_BUTTON}>
          {t("saveLimit")}
        </button>
      </form>

      <form action={passwordAction} className={`${CARD} space-y-3`} noValidate>
        <input type="hidden" name="userId" value={user.id} />
        <Field label={t("newPassword")} hint={t("initialPasswordHint")} errors={fieldErrorsOf(passwordState).password}>
          <input name="password" type="password" autoComplete="new-password" className={FIELD} />
        </Field>
        <ActionMessage
          state={passwordState}
          success={passwordState?.ok && !passwordState.data.generatedPassword ? t("passwordReset") : undefined}
        />
        {passwordState?.ok && passwordState.data.generatedPassword && (
          <ShownOnce
            label={t("generatedPassword", { email: user.email })}
            value={passwordState.data.generatedPassword}
            note={t("shownOnce")}
          />
        )}
        <button type="submit" disabled={passwordPending} className={SECONDARY_BUTTON}>
          {t("resetPassword")}
        </button>
      </form>

      <form action={disableAction} className={`${CARD} space-y-3`}>
        <input type="hidden" name="userId" value={user.id} />
        <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
        <p className="text-sm text-slate-600">
          {user.disabled ? t("enableExplained") : isSelf ? t("disableSelfExplained") : t("disableExplained")}
        </p>
        <ActionMessage state={disableState} />
        <button type="submit" disabled={disablePending} className={user.disabled ? PRIMARY_BUTTON : DANGER_BUTTON}>
          {user.disabled ? t("enable") : t("disable")}
        </button>
      </form>

      <form action={removeAction} className={`${CARD} space-y-3`}>
        <input type="hidden" name="userId" value={user.id} />
        <p className="text-sm text-slate-600">{t("removeExplained")}</p>
        <ActionMessage state={removeState} success={t("removed")} />
        <button type="submit" disabled={removePending} className={DANGER_BUTTON}>
          {t("remove", { merchant: merchantName })}
        </button>
      </form>
      <p className="text-xs text-slate-500 lg:col-span-2">{t("accountWide")}</p>
    </div>
  );
}
