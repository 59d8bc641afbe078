"use client";

import { useLocale, useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { LOCALES } from "@/lib/locale";

type SetLocale = (previous: FormResult | null, formData: FormData) => Promise<FormResult>;

/** Two buttons, 中文 / English; the current one is pressed. The route passes the server action that saves the choice. */
export function LanguageSwitcher({ setLocale, tone = "dark" }: { setLocale: SetLocale; tone?: "dark" | "light" }) {
  const t = useTranslations("common.language");
  const current = useLocale();
  const [, action, pending] = useActionState(setLocale, null);
  const idle =
    tone === "dark" ? "text-slate-300 hover:bg-slate-800 hover:text-white" : "text-slate-600 hover:bg-slate-200";
  const active = tone === "dark" ? "bg-slate-700 text-white" : "bg-slate-200 text-slate-900";
  return (
    <form action={action} role="group" aria-label={t("label")} className="flex items-center gap-0.5 text-xs">
      {LOCALES.map((locale) => (
        <button
          key={locale}
          type="submit"
          name="locale"
          value={locale}
          lang={locale}
          disabled={pending}
          aria-pressed={current === locale}
          className={`rounded px-1.5 py-1 ${current === locale ? active : idle}`}
        >
          {t(locale)}
        </button>
      ))}
    </form>
  );
}
