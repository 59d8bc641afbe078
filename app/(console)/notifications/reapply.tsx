"use client";

import { useTranslations } from "next-intl";
import { createContext, useActionState, useContext, type ReactNode } from "react";
import type { FormResult } from "@/lib/action-result";
import type { NotificationOutcome } from "@/lib/db/queries/notifications";
import { reapplyNotificationAction } from "./actions";

interface Attempt {
  /** The notification's WeChat id, or `#<row id>`: how the result names what was re-applied. */
  name: string;
  result: FormResult<{ outcome: NotificationOutcome }>;
}

const ReapplyContext = createContext<{ action: (form: FormData) => void; pending: boolean } | null>(null);

/**
 * Holds the re-apply action for the whole list and shows its result above it. The result lives here, not in the
 * row: once re-applied, the list re-renders and the row may leave it (it is no longer `unmatched`).
 */
export function ReapplyProvider({ children }: { children: ReactNode }) {
  const [attempt, action, pending] = useActionState<Attempt | null, FormData>(
    async (_previous, form) => ({
      name: String(form.get("name")),
      result: await reapplyNotificationAction(null, form),
    }),
    null,
  );
  return (
    <ReapplyContext value={{ action, pending }}>
      {attempt && (
        <p
          role={attempt.result.ok ? "status" : "alert"}
          className={`mb-3 rounded-md px-3 py-2 text-sm ring-1 ring-inset ${attempt.result.ok ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20" : "bg-red-50 text-red-800 ring-red-600/20"}`}
        >
          <span className="mr-2 font-mono text-xs">{attempt.name}</span>
          {attempt.result.ok ? attempt.result.message : attempt.result.error}
        </p>
      )}
      {children}
    </ReapplyContext>
  );
}

/** For a verified, unmatched callback whose refund exists now; admins only (the action checks the role again). */
export function ReapplyButton({ id, name, outRefundNo }: { id: number; name: string; outRefundNo: string }) {
  const t = useTranslations("notifications.reapply");
  const context = useContext(ReapplyContext);
  if (!context) return null;
  return (
    <form
      action={context.action}
      className="flex flex-wrap items-center gap-3 rounded-md bg-white p-3 ring-1 ring-slate-200"
    >
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="name" value={name} />
      <p className="w-full text-sm text-slate-600">{t("explanation", { outRefundNo })}</p>
      <button
        type="submit"
        disabled={context.pending}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {context.pending ? t("pending") : t("button")}
      </button>
    </form>
  );
}
