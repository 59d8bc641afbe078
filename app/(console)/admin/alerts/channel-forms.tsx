"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { ButtonForm } from "@/components/button-form";
import type { FormResult } from "@/lib/action-result";
import {
  ActionMessage,
  DANGER_BUTTON,
  Field,
  FIELD,
  fieldErrorsOf,
  PRIMARY_BUTTON,
  SECONDARY_BUTTON,
} from "../form-parts";
import {
  createAlertChannelAction,
  deleteAlertChannelAction,
  sendTestAlertAction,
  setAlertChannelEnabledAction,
} from "./actions";

const KINDS = ["wecom", "dingtalk", "feishu", "webhook"] as const;

export function CreateChannelForm() {
  const t = useTranslations("alerts");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(createAlertChannelAction, null);
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("kind")} errors={errors.kind}>
          <select name="kind" className={FIELD} defaultValue="wecom">
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kinds.${kind}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("name")} errors={errors.name}>
          <input name="name" autoComplete="off" className={FIELD} />
        </Field>
        <Field label={t("url")} hint={t("urlHint")} errors={errors.url}>
          <input name="url" type="url" autoComplete="off" className={FIELD} />
        </Field>
        <Field label={t("secret")} hint={t("secretHint")} errors={errors.secret}>
          <input name="secret" type="password" autoComplete="off" className={FIELD} />
        </Field>
      </div>
      <ActionMessage state={state} success={t("created")} />
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {t("create")}
      </button>
    </form>
  );
}

export function ChannelControls({ id, enabled }: { id: string; enabled: boolean }) {
  const t = useTranslations("alerts");
  const [test, testAction, testing] = useActionState<FormResult<{ error: string | null }> | null, FormData>(
    sendTestAlertAction,
    null,
  );
  const [toggled, toggleAction] = useActionState<FormResult<null> | null, FormData>(setAlertChannelEnabledAction, null);
  const [deleted, deleteAction] = useActionState<FormResult<null> | null, FormData>(deleteAlertChannelAction, null);
  const failed = [test, toggled, deleted].find((s) => s && !s.ok);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ButtonForm
        action={testAction}
        fields={{ id }}
        label={t("sendTest")}
        className={SECONDARY_BUTTON}
        disabled={testing}
      />
      <ButtonForm
        action={toggleAction}
        fields={{ id, enabled: enabled ? "false" : "true" }}
        label={enabled ? t("disable") : t("enable")}
        className={SECONDARY_BUTTON}
      />
      <ButtonForm
        action={deleteAction}
        fields={{ id }}
        label={t("delete")}
        className={DANGER_BUTTON}
        confirm={t("deleteConfirm")}
      />
      {test?.ok && (
        <span role="status" className={`text-xs ${test.data.error ? "text-red-700" : "text-emerald-700"}`}>
          {test.data.error ? t("testFailed", { error: test.data.error }) : t("testSent")}
        </span>
      )}
      {failed && !failed.ok && (
        <span role="alert" className="text-xs text-red-700">
          {failed.error}
        </span>
      )}
    </div>
  );
}
