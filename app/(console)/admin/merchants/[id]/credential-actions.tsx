"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Bilingual } from "@/components/bilingual";
import type { ActionResult } from "@/lib/action-result";
import { DANGER_BUTTON, PRIMARY_BUTTON } from "../../form-parts";
import { activateCredentialsAction, retireCredentialsAction } from "../actions";

/** Activate or retire a standby version. */
export function CredentialActions({ merchantId, version }: { merchantId: string; version: number }) {
  const t = useTranslations("admin.credentials");
  const [activateState, activate, activating] = useActionState<ActionResult<null> | null, FormData>(
    activateCredentialsAction,
    null,
  );
  const [retireState, retire, retiring] = useActionState<ActionResult<null> | null, FormData>(
    retireCredentialsAction,
    null,
  );
  const failed = [activateState, retireState].find((s) => s && !s.ok);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <form action={activate}>
        <input type="hidden" name="merchantId" value={merchantId} />
        <input type="hidden" name="version" value={version} />
        <button
          type="submit"
          disabled={activating}
          className={PRIMARY_BUTTON}
          aria-label={t("activateVersion", { version })}
        >
          {t("activate")}
        </button>
      </form>
      <form
        action={retire}
        onSubmit={(e) => (window.confirm(t("retireConfirm", { version })) ? undefined : e.preventDefault())}
      >
        <input type="hidden" name="merchantId" value={merchantId} />
        <input type="hidden" name="version" value={version} />
        <button
          type="submit"
          disabled={retiring}
          className={DANGER_BUTTON}
          aria-label={t("retireVersion", { version })}
        >
          {t("retire")}
        </button>
      </form>
      {failed && !failed.ok && (
        <span role="alert" className="text-xs text-red-700">
          <Bilingual text={failed.error} />
        </span>
      )}
    </div>
  );
}
