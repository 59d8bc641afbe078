"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";

type SwitchMerchant = (previous: FormResult<null> | null, formData: FormData) => Promise<FormResult<null>>;

/**
 * The merchant the console works in. With one merchant, its name; with several, a list that switches at once. Every
 * page, export and action works in the merchant shown here only.
 */
export function MerchantSwitcher({
  merchants,
  currentId,
  switchMerchant,
}: {
  merchants: { id: string; displayName: string; mchid: string }[];
  currentId: string;
  switchMerchant: SwitchMerchant;
}) {
  const t = useTranslations("common.merchantSwitcher");
  const [, action, pending] = useActionState(switchMerchant, null);
  const current = merchants.find((m) => m.id === currentId);
  if (merchants.length < 2) {
    return (
      <span className="max-w-48 truncate text-slate-300" data-testid="current-merchant" title={current?.mchid}>
        {current?.displayName}
      </span>
    );
  }
  return (
    <form action={action}>
      <label className="sr-only" htmlFor="merchant-switcher">
        {t("label")}
      </label>
      <select
        id="merchant-switcher"
        name="merchantId"
        data-testid="current-merchant"
        defaultValue={currentId}
        disabled={pending}
        onChange={(event) => event.currentTarget.form?.requestSubmit()}
        title={current ? `${current.displayName} (${current.mchid})` : undefined}
        className="max-w-44 truncate rounded border border-slate-600 bg-slate-800 px-2 py-1 text-xs text-slate-100"
      >
        {merchants.map((m) => (
          <option key={m.id} value={m.id} title={m.mchid}>
            {m.displayName}
          </option>
        ))}
      </select>
    </form>
  );
}
