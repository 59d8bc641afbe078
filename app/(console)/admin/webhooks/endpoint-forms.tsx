"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { ButtonForm } from "@/components/button-form";
import type { FormResult } from "@/lib/action-result";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";
import {
  ActionMessage,
  DANGER_BUTTON,
  Field,
  FIELD,
  FieldErrors,
  fieldErrorsOf,
  PRIMARY_BUTTON,
  SECONDARY_BUTTON,
  ShownOnce,
} from "../form-parts";
import {
  createWebhookEndpointAction,
  deleteWebhookEndpointAction,
  resendWebhookDeliveryAction,
  rotateWebhookSecretAction,
  sendWebhookTestAction,
  setWebhookEndpointStatusAction,
} from "./actions";

/** A new endpoint for the current merchant; its signing secret is shown here once. */
export function CreateEndpointForm() {
  const t = useTranslations("webhooks");
  const [state, action, pending] = useActionState<FormResult<{ id: string; secret: string }> | null, FormData>(
    createWebhookEndpointAction,
    null,
  );
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("url")} hint={t("urlHint")} errors={errors.url}>
          <input name="url" type="url" autoComplete="off" placeholder="https://" className={FIELD} />
        </Field>
        <Field label={t("description")} errors={errors.description}>
          <input name="description" autoComplete="off" className={FIELD} />
        </Field>
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">{t("events")}</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="flex items-center gap-1.5 font-mono text-xs text-slate-700">
              <input type="checkbox" name={type} defaultChecked={type.startsWith("refund.")} />
              {type}
            </label>
          ))}
        </div>
        <FieldErrors messages={errors.events} />
      </fieldset>
      <ActionMessage state={state?.ok ? null : state} />
      {state?.ok && <ShownOnce label={t("secretShown")} value={state.data.secret} note={t("shownOnce")} />}
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {t("create")}
      </button>
    </form>
  );
}

function ErrorLine({ state }: { state: FormResult<unknown> | null }) {
  return state && !state.ok ? (
    <span role="alert" className="text-xs text-red-700">
      {state.error}
    </span>
  ) : null;
}

/** Send test event, rotate secret, enable or disable, delete. */
export function EndpointControls({ id, status }: { id: string; status: "enabled" | "disabled" | "failing" }) {
  const t = useTranslations("webhooks");
  const [test, testAction, testing] = useActionState<FormResult<{ messageId: string }> | null, FormData>(
    sendWebhookTestAction,
    null,
  );
  const [rotated, rotateAction, rotating] = useActionState<FormResult<{ secret: string }> | null, FormData>(
    rotateWebhookSecretAction,
    null,
  );
  const [toggled, toggleAction, toggling] = useActionState<FormResult<null> | null, FormData>(
    setWebhookEndpointStatusAction,
    null,
  );
  const [deleted, deleteAction, deleting] = useActionState<FormResult<null> | null, FormData>(
    deleteWebhookEndpointAction,
    null,
  );
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <ButtonForm
          action={testAction}
          fields={{ id }}
          label={t("sendTest")}
          className={SECONDARY_BUTTON}
          disabled={testing}
        />
        <ButtonForm
          action={rotateAction}
          fields={{ id }}
          label={t("rotate")}
          className={SECONDARY_BUTTON}
          disabled={rotating}
          confirm={t("rotateConfirm")}
        />
        <ButtonForm
          action={toggleAction}
          fields={{ id, status: status === "disabled" ? "enabled" : "disabled" }}
          label={status === "disabled" ? t("enable") : t("disable")}
          className={SECONDARY_BUTTON}
          disabled={toggling}
        />
        <ButtonForm
          action={deleteAction}
          fields={{ id }}
          label={t("delete")}
          className={DANGER_BUTTON}
          disabled={deleting || deleted?.ok}
          confirm={t("deleteConfirm")}
        />
        <ErrorLine state={test} />
        <ErrorLine state={rotated} />
        <ErrorLine state={toggled} />
        <ErrorLine state={deleted} />
      </div>
      {test?.ok && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {t("testSent", { messageId: test.data.messageId })}
        </p>
      )}
      {rotated?.ok && <ShownOnce label={t("rotated")} value={rotated.data.secret} note={t("rotatedNote")} />}
    </div>
  );
}

export function ResendButton({ deliveryId, messageId }: { deliveryId: number; messageId: string }) {
  const t = useTranslations("webhooks");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(resendWebhookDeliveryAction, null);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <button
        type="submit"
        disabled={pending}
        className={SECONDARY_BUTTON}
        aria-label={t("resendNamed", { messageId })}
      >
        {t("resend")}
      </button>
      {state?.ok && (
        <span role="status" className="text-xs text-emerald-700">
          {t("resent")}
        </span>
      )}
      <ErrorLine state={state} />
    </form>
  );
}
