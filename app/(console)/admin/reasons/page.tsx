import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "@/components/page-header";
import { requireConsoleUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { listAllReasons } from "@/lib/refunds/reasons";
import { MAX_REASON_BYTES } from "@/lib/wechatpay/reason-limit";
import { AddReasonForm, ReasonRow } from "./reason-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reasons"))("title") };
}

/** The refund reasons operators choose from. Retired reasons stay for the refunds that used them. */
export default async function ReasonsPage() {
  await requireConsoleUser("manageSettings");
  const [reasons, t] = await Promise.all([listAllReasons(getDb()), getTranslations("reasons")]);
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { max: MAX_REASON_BYTES })} />
      <section className="mb-4 rounded-lg border border-slate-200 bg-white p-3">
        <AddReasonForm maxLength={MAX_REASON_BYTES} />
      </section>
      <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label={t("listLabel")}>
        {reasons.map((r, i) => (
          <ReasonRow
            key={`${r.id}:${r.label}:${r.active}`}
            id={r.id}
            label={r.label}
            active={r.active}
            first={i === 0}
            last={i === reasons.length - 1}
            maxLength={MAX_REASON_BYTES}
          />
        ))}
      </ol>
    </>
  );
}
