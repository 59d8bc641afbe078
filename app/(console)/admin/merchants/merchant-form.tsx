"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { ActionMessage, Field, FIELD, fieldErrorsOf, PRIMARY_BUTTON } from "../form-parts";
import { createMerchantAction, updateMerchantAction } from "./actions";

/** A merchant's editable fields as the form shows them (the threshold in yuan). */
export interface MerchantFormValues {
  id?: string;
  displayName: string;
  mchid: string;
  appid: string;
  mode: "direct" | "partner";
  subMchid: string;
  subAppid: string;
  apiVersion: "v3" | "v2";
  credentialsRef: string;
  platformCertificates: "trusted" | "retired";
  approvalThreshold: string;
  active: boolean;
}

const NEW_MERCHANT: MerchantFormValues = {
  displayName: "",
  mchid: "",
  appid: "",
  mode: "direct",
  subMchid: "",
  subAppid: "",
  apiVersion: "v3",
  credentialsRef: "db",
  platformCertificates: "trusted",
  approvalThreshold: "1000.00",
  active: true,
};

/** Adds a merchant, or edits one when `values.id` is set. */
export function MerchantForm({ values = NEW_MERCHANT }: { values?: MerchantFormValues }) {
  const t = useTranslations("admin.merchants");
  const editing = values.id !== undefined;
  const [state, action, pending] = useActionState<FormResult<{ id: string }> | null, FormData>(
    editing ? updateMerchantAction : createMerchantAction,
    null,
  );
  const [mode, setMode] = useState(values.mode);
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} className="space-y-3" noValidate>
      {editing && <input type="hidden" name="merchantId" value={values.id} />}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label={t("displayName")} errors={errors.displayName}>
          <input name="displayName" defaultValue={values.displayName} className={FIELD} />
        </Field>
        <Field label={t("mchid")} errors={errors.mchid}>
          <input name="mchid" defaultValue={values.mchid} inputMode="numeric" className={`${FIELD} font-mono`} />
        </Field>
        <Field label={t("appid")} errors={errors.appid}>
          <input name="appid" defaultValue={values.appid} className={`${FIELD} font-mono`} />
        </Field>
        <Field label={t("approvalThreshold")} hint={t("approvalThresholdHint")} errors={errors.approvalThreshold}>
          <input
            name="approvalThreshold"
            defaultValue={values.approvalThreshold}
            inputMode="decimal"
            className={`${FIELD} text-right tabular-nums`}
          />
        </Field>
        <Field label={t("mode")} errors={errors.mode}>
          <select
            name="mode"
            value={mode}
            onChange={(e) => setMode(e.target.value as "direct" | "partner")}
            className={FIELD}
          >
            <option value="direct">{t("modeDirect")}</option>
            <option value="partner">{t("modePartner")}</option>
          </select>
        </Field>
        {mode === "partner" && (
          <>
            <Field label={t("subMchid")} errors={errors.subMchid}>
              <input
                name="subMchid"
                defaultValue={values.subMchid}
                inputMode="numeric"
                className={`${FIELD} font-mono`}
              />
            </Field>
            <Field label={t("subAppid")} hint={t("optional")} errors={errors.subAppid}>
              <input name="subAppid" defaultValue={values.subAppid} className={`${FIELD} font-mono`} />
            </Field>
          </>
        )}
        <Field label={t("apiVersion")} errors={errors.apiVersion}>
          <select name="apiVersion" defaultValue={values.apiVersion} className={FIELD}>
            <option value="v3">APIv3</option>
            <option value="v2">APIv2</option>
          </select>
        </Field>
        <Field label={t("credentialsRef")} hint={t("credentialsRefHint")} errors={errors.credentialsRef}>
          <select name="credentialsRef" defaultValue={values.credentialsRef} className={FIELD}>
            <option value="db">{t("credentialsDb")}</option>
            <option value="env">{t("credentialsEnv")}</option>
          </select>
        </Field>
        <Field
          label={t("platformCertificates")}
          hint={t("platformCertificatesHint")}
          errors={errors.platformCertificates}
        >
          <select name="platformCertificates" defaultValue={values.platformCertificates} className={FIELD}>
            <option value="trusted">{t("certificatesTrusted")}</option>
            <option value="retired">{t("certificatesRetired")}</option>
          </select>
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input
          type="checkbox"
          name="active"
          defaultChecked={values.active}
          className="h-4 w-4 rounded border-slate-300"
        />
        {t("activeLabel")}
      </label>
      <ActionMessage state={state} success={editing ? t("saved") : t("created")} />
      <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
        {editing ? t("save") : t("add")}
      </button>
    </form>
  );
}
