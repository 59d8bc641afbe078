"use client";

import { useTranslations } from "next-intl";
import { startTransition, useActionState, useEffect, useRef, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { ActionMessage, Field, FIELD, fieldErrorsOf, PRIMARY_BUTTON } from "../../form-parts";
import { addCredentialsAction } from "../actions";

/**
 * A new credential version: files are read by the server action, checked, sealed and stored as standby. The form
 * keeps what was entered when the server refuses a field (React would otherwise reset it, files included).
 */
export function CredentialUploadForm({ merchantId, apiVersion }: { merchantId: string; apiVersion: "v3" | "v2" }) {
  const t = useTranslations("admin.credentials");
  const [state, action, pending] = useActionState<FormResult<{ version: number }> | null, FormData>(
    addCredentialsAction,
    null,
  );
  const [verification, setVerification] = useState<"publicKey" | "certificates">("publicKey");
  const formRef = useRef<HTMLFormElement>(null);
  const errors = fieldErrorsOf(state);
  useEffect(() => {
    if (state?.ok) formRef.current?.reset();
  }, [state]);
  const required = (version: "v3" | "v2") => (version === apiVersion ? t("required") : t("optional"));

  return (
    <form
      ref={formRef}
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(() => action(data));
      }}
      className="space-y-4"
      noValidate
    >
      <input type="hidden" name="merchantId" value={merchantId} />
      <fieldset className="space-y-3">
        <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
          APIv3 · {required("v3")}
        </legend>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label={t("merchantSerialNo")} hint={t("merchantSerialNoHint")} errors={errors.merchantSerialNo}>
            <input name="merchantSerialNo" autoComplete="off" className={`${FIELD} font-mono`} />
          </Field>
          <Field label={t("privateKeyFile")} hint={t("privateKeyFileHint")} errors={errors.merchantPrivateKeyPem}>
            <input name="merchantPrivateKeyPem" type="file" accept=".pem,.key,.txt" className={FIELD} />
          </Field>
          <Field label={t("apiV3Key")} hint={t("apiV3KeyHint")} errors={errors.apiV3Key}>
            <input name="apiV3Key" type="password" autoComplete="off" className={`${FIELD} font-mono`} />
          </Field>
        </div>
        <div role="radiogroup" aria-label={t("verification")} className="flex flex-wrap gap-4 text-sm text-slate-700">
          {(["publicKey", "certificates"] as const).map((mode) => (
            <label key={mode} className="flex items-center gap-2">
              <input
                type="radio"
                name="verification"
                value={mode}
                checked={verification === mode}
                onChange={() => setVerification(mode)}
              />
              {t(`verificationModes.${mode}`)}
            </label>
          ))}
        </div>
        {verification === "publicKey" && (
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label={t("publicKeyId")} errors={errors.publicKeyId}>
              <input
                name="publicKeyId"
                autoComplete="off"
                placeholder="PUB_KEY_ID_…"
                className={`${FIELD} font-mono`}
              />
            </Field>
            <Field label={t("publicKeyFile")} hint={t("publicKeyFileHint")} errors={errors.publicKeyPem}>
              <input name="publicKeyPem" type="file" accept=".pem,.txt" className={FIELD} />
            </Field>
          </div>
        )}
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
          APIv2 · {required("v2")}
        </legend>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label={t("apiV2Key")} hint={t("apiV2KeyHint")} errors={errors.apiV2Key}>
            <input name="apiV2Key" type="password" autoComplete="off" className={`${FIELD} font-mono`} />
          </Field>
          <Field label={t("p12File")} hint={t("p12FileHint")} errors={errors.p12}>
            <input name="p12" type="file" accept=".p12,.pfx" className={FIELD} />
          </Field>
          <Field label={t("p12Password")} hint={t("p12PasswordHint")} errors={errors.p12Password}>
            <input name="p12Password" type="password" autoComplete="off" className={FIELD} />
          </Field>
        </div>
      </fieldset>
      <ActionMessage state={state} success={state?.ok ? t("uploaded", { version: state.data.version }) : undefined} />
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {pending ? t("uploading") : t("upload")}
      </button>
    </form>
  );
}
