"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { ABNORMAL_BANK_TYPES } from "@/lib/refunds/bank-types";
import { applyAbnormalRefundAction } from "./actions";

const INPUT =
  "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

/**
 * An approver's abnormal-refund application: to the payer's bank card (bank, card number, name) or to the merchant's
 * bank account. The card number and name are encrypted for WeChat Pay and kept by the console only masked.
 */
export function AbnormalForm({ outRefundNo }: { outRefundNo: string }) {
  const t = useTranslations("refunds.abnormal");
  const [state, action, pending] = useActionState<FormResult<null> | null, FormData>(applyAbnormalRefundAction, null);
  const [type, setType] = useState<"USER_BANK_CARD" | "MERCHANT_BANK_CARD">("USER_BANK_CARD");
  // Controlled, so that a refused application keeps what the approver typed (a form action resets the form).
  const [card, setCard] = useState({ bankType: "", bankAccount: "", realName: "" });
  const edit = (field: keyof typeof card) => (e: { target: { value: string } }) =>
    setCard((c) => ({ ...c, [field]: e.target.value }));
  const fieldError = (field: "bankType" | "bankAccount" | "realName") =>
    state && !state.ok && state.fieldErrors?.[field] ? (
      <span role="alert" className="mt-0.5 block text-xs text-red-700">
        {t(`errors.${field}`)}
      </span>
    ) : null;

  return (
    <form action={action} className="space-y-3" aria-label={t("title")}>
      <p className="text-sm text-slate-600">{t("intro")}</p>
      <input type="hidden" name="outRefundNo" value={outRefundNo} />
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="sr-only">{t("destination")}</legend>
        {(["USER_BANK_CARD", "MERCHANT_BANK_CARD"] as const).map((value) => (
          <label key={value} className="flex items-center gap-1.5">
            <input type="radio" name="type" value={value} checked={type === value} onChange={() => setType(value)} />
            {t(value === "USER_BANK_CARD" ? "toUserCard" : "toMerchant")}
          </label>
        ))}
      </fieldset>
      {type === "USER_BANK_CARD" ? (
        <div className="grid max-w-3xl gap-3 sm:grid-cols-3">
          <label className="block text-xs font-medium text-slate-600">
            {t("bankType")}
            <select name="bankType" value={card.bankType} onChange={edit("bankType")} className={INPUT} required>
              <option value="" disabled>
                {t("chooseBank")}
              </option>
              {ABNORMAL_BANK_TYPES.map((code) => (
                <option key={code} value={code}>
                  {t(`banks.${code}`)}
                </option>
              ))}
            </select>
            {fieldError("bankType")}
          </label>
          <label className="block text-xs font-medium text-slate-600">
            {t("bankAccount")}
            <input
              name="bankAccount"
              value={card.bankAccount}
              onChange={edit("bankAccount")}
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              className={`${INPUT} font-mono`}
              required
            />
            {fieldError("bankAccount")}
          </label>
          <label className="block text-xs font-medium text-slate-600">
            {t("realName")}
            <input
              name="realName"
              value={card.realName}
              onChange={edit("realName")}
              autoComplete="off"
              className={INPUT}
              required
            />
            {fieldError("realName")}
          </label>
        </div>
      ) : (
        <p className="text-sm text-slate-600">{t("merchantNote")}</p>
      )}
      <p className="text-xs text-slate-500">{t("privacy")}</p>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60"
        >
          {pending ? t("pending") : t("submit")}
        </button>
        {state && !state.ok && (
          <span role="alert" className="text-sm text-red-700">
            {state.error}
          </span>
        )}
        {state?.ok && state.message && (
          <span role="status" className="text-sm text-emerald-700">
            {state.message}
          </span>
        )}
      </div>
    </form>
  );
}
