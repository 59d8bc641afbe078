"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { Money } from "@/components/money";
import type { FormResult } from "@/lib/action-result";
import { lookUpPaymentAction, type LookupResult } from "./actions";

/**
 * Shown when a search finds no order: the number may be a payment the console has never heard of (no shop
 * integration yet, or a payment the shop did not report). Looking it up at WeChat Pay imports it when it is paid and
 * opens it, ready to refund; an unpaid one is explained and not imported.
 */
export function LookupPanel({ number }: { number: string }) {
  const t = useTranslations("orders.lookup");
  const router = useRouter();
  const [state, action, pending] = useActionState<FormResult<LookupResult> | null, FormData>(lookUpPaymentAction, null);
  const found = state?.ok && state.data.kind === "order" ? state.data : null;
  useEffect(() => {
    // APIv3 cannot list a payment's refunds: the order page then says WeChat reports some the console cannot see yet.
    if (found) router.push(`/orders/${found.orderId}${found.refundsUnlisted ? "?refunds=unlisted" : ""}`);
  }, [found, router]);

  return (
    <section
      aria-labelledby="lookup-title"
      className="mb-4 rounded-lg border border-brand-100 bg-brand-50 p-4"
      data-testid="lookup-panel"
    >
      <h2 id="lookup-title" className="text-sm font-semibold text-slate-900">
        {t("title")}
      </h2>
      <p className="mt-1 text-sm text-slate-700">{t("explanation", { number })}</p>
      <form action={action} className="mt-3 flex flex-wrap items-center gap-3">
        <input type="hidden" name="number" value={number} />
        <button
          type="submit"
          disabled={pending || found !== null}
          className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {pending ? t("pending") : t("button")}
        </button>
        {found !== null && <span className="text-sm text-slate-600">{t("opening")}</span>}
      </form>
      {state && !state.ok && (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state?.ok && state.data.kind === "not_found" && (
        <p role="status" className="mt-3 text-sm text-slate-800" data-testid="lookup-not-found">
          {t("notFound")}
        </p>
      )}
      {state?.ok && state.data.kind === "unpaid" && (
        <div
          role="status"
          className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
          data-testid="lookup-unpaid"
        >
          <p className="font-medium">
            {t("unpaidTitle", { outTradeNo: state.data.outTradeNo, state: state.data.tradeState })}
            {state.data.totalFen !== undefined && (
              <>
                {" "}
                <Money fen={state.data.totalFen} />
              </>
            )}
          </p>
          <p className="mt-1">{t(`tradeStates.${state.data.tradeState}`)}</p>
          {state.data.tradeStateDesc && <p className="mt-1 text-xs text-amber-800">{state.data.tradeStateDesc}</p>}
          <p className="mt-1">{t("notImported")}</p>
        </div>
      )}
    </section>
  );
}
