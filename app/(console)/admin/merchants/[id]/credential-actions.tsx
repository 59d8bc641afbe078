"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { ButtonForm } from "@/components/button-form";
import type { FormResult } from "@/lib/action-result";
import { DANGER_BUTTON, PRIMARY_BUTTON } from "../../form-parts";
import { activateCredentialsAction, retireCredentialsAction } from "../actions";

/** Activate or retire a standby version. */
export function CredentialActions({ merchantId, version }: { merchantId: string; version: number }) {
  const t = useTranslations("admin.credentials");
  const [activateState, activate, activating] = useActionState<FormResult<null> | null, FormData>(
    activateCredentialsAction,
    null,
  );
  const [retireState, retire, retiring] = useActionState<FormResult<null> | null, FormData>(
    retireCredentialsAction,
    null,
  );
  const failed = [activateState, retireState].find((s) => s && !s.ok);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ButtonForm
        action={activate}
        fields={{ merchantId, version }}
        label={t("activate")}
        className={PRIMARY_BUTTON}
        disabled={activating}
        ariaLabel={t("activateVersion", { version })}
      />
      <ButtonForm
        action={retire}
        fields={{ merchantId, version }}
        label={t("retire")}
        className={DANGER_BUTTON}
        disabled={retiring}
        ariaLabel={t("retireVersion", { version })}
        confirm={t("retireConfirm", { version })}
      />
      {failed && !failed.ok && (
        <span role="alert" className="text-xs text-red-700">
          {failed.error}
        </span>
      )}
    </div>
  );
}
