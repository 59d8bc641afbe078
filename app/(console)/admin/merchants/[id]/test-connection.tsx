"use client";

import { CircleAlert, CircleCheck } from "lucide-react";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { FormResult } from "@/lib/action-result";
import { SECONDARY_BUTTON } from "../../form-parts";
import { testConnectionAction, type ShownCheckReport } from "../actions";

/** "Test connection": a signed, harmless call with this merchant's credentials; each problem named on its own line. */
export function TestConnection({ merchantId }: { merchantId: string }) {
  const t = useTranslations("admin.connection");
  const [state, test, testing] = useActionState<FormResult<ShownCheckReport> | null, FormData>(
    testConnectionAction,
    null,
  );
  return (
    <div>
      <form action={test} className="flex items-center gap-3">
        <input type="hidden" name="merchantId" value={merchantId} />
        <button type="submit" disabled={testing} className={SECONDARY_BUTTON}>
          {testing ? t("testing") : t("test")}
        </button>
        <span className="text-xs text-slate-500">{t("note")}</span>
      </form>
      {state && !state.ok && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state?.ok && (
        <ul className="mt-3 space-y-2" data-testid="connection-findings" aria-live="polite">
          {state.data.findings.map((finding) => (
            <li
              key={finding.code}
              data-code={finding.code}
              className={`flex gap-2 text-sm ${finding.ok ? "text-emerald-700" : "text-red-700"}`}
            >
              {finding.ok ? (
                <CircleCheck className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
              ) : (
                <CircleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
              )}
              <span>
                {finding.message}
                {finding.detail && (
                  <span className="mt-0.5 block font-mono text-xs text-slate-500">{finding.detail}</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
