import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Download } from "lucide-react";
import { getLocale, getTranslations } from "next-intl/server";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import { DateTime } from "@/components/date-time";
import { Money } from "@/components/money";
import { OrderTotals } from "@/components/order-totals";
import { PageHeader } from "@/components/page-header";
import { RefundFacts } from "@/components/refund-facts";
import { RefundStatusBadge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { formatBeijing } from "@/lib/beijing-time";
import { getDb } from "@/lib/db/client";
import { getRefundDetail } from "@/lib/db/queries/refunds";
import { maskAccount } from "@/lib/evidence/redact";
import { loadEvidenceTrail } from "@/lib/evidence/trail";
import { getMessageText } from "@/app/_server/message-text";
import { listBankCardApplicationsAwaiting } from "@/lib/refunds/bank-card-applications";
import { parseOutRefundNoParam } from "@/lib/refunds/out-refund-no-param";
import { describeCode } from "@/lib/wechatpay/errors";
import { AbnormalForm } from "./abnormal-form";
import { CardApplication } from "./card-application";
import { EvidenceTimeline } from "./evidence-timeline";
import { RetryButton } from "./retry-button";

type Params = { params: Promise<{ outRefundNo: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const t = await getTranslations("refunds.detail");
  return { title: t("title", { outRefundNo: parseOutRefundNoParam((await params).outRefundNo) ?? "" }) };
}

export default async function RefundPage({ params }: Params) {
  const user = await requirePageUser();
  const outRefundNo = parseOutRefundNoParam((await params).outRefundNo);
  if (outRefundNo === null) notFound();
  const db = getDb();
  const [detail, trail, t, locale, messageText] = await Promise.all([
    getRefundDetail(db, user.merchantId, outRefundNo),
    loadEvidenceTrail(db, user.merchantId, outRefundNo),
    getTranslations("refunds"),
    getLocale(),
    getMessageText(),
  ]);
  if (!detail || !trail) notFound();
  const { order } = detail;
  // Where the money went is personal data: a viewer sees the account masked.
  const refund =
    detail.refund.userReceivedAccount && !can(user.role, "seePersonalData")
      ? { ...detail.refund, userReceivedAccount: maskAccount(detail.refund.userReceivedAccount) }
      : detail.refund;
  const [cardApplication] =
    refund.status === "ABNORMAL" ? await listBankCardApplicationsAwaiting(db, user.merchantId, refund.id) : [];

  /** Why a retry is offered, or null when it is not: failed refunds, and pending ones waiting for a back-off. */
  const retryExplanation =
    refund.status === "FAILED"
      ? refund.lastErrorCode
        ? messageText(describeCode(refund.lastErrorCode).message)
        : t("retry.refused")
      : refund.status === "PENDING" && refund.lastErrorCode
        ? t("retry.waiting", { code: refund.lastErrorCode })
        : null;

  return (
    <>
      <PageHeader
        title={t("detail.title", { outRefundNo: refund.outRefundNo })}
        subtitle={t("detail.subtitle", { outTradeNo: order.outTradeNo, merchant: detail.merchantName })}
        actions={
          <Link href="/refunds" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            {t("detail.back")}
          </Link>
        }
      />
      {refund.status === "ABNORMAL" && <AbnormalRefundNote className="mb-4" />}
      {refund.status === "ABNORMAL" && (
        <section aria-labelledby="abnormal-refund" className="mb-4 rounded-lg border border-red-200 bg-white p-4">
          <h2 id="abnormal-refund" className="mb-2 text-sm font-semibold text-slate-900">
            {t("abnormal.title")}
          </h2>
          {detail.merchantApiVersion === "v2" ? (
            <p className="text-sm text-slate-600" data-testid="abnormal-unavailable">
              {t("abnormal.v2Unavailable")}
            </p>
          ) : cardApplication ? (
            <CardApplication
              application={{
                id: cardApplication.id,
                bank: t(`abnormal.banks.${cardApplication.bankType}`),
                maskedAccount: cardApplication.maskedAccount,
                maskedName: cardApplication.maskedName,
                enteredByName: cardApplication.enteredByName,
                enteredAt: formatBeijing(cardApplication.enteredAt, locale),
              }}
              viewer={
                cardApplication.enteredBy === user.id
                  ? "enterer"
                  : can(user.role, "applyAbnormalRefund")
                    ? "decider"
                    : "onlooker"
              }
            />
          ) : can(user.role, "applyAbnormalRefund") ? (
            <AbnormalForm outRefundNo={refund.outRefundNo} />
          ) : (
            <p className="text-sm text-slate-600">{t("abnormal.approverOnly")}</p>
          )}
        </section>
      )}
      {can(user.role, "requestRefund") && retryExplanation && (
        <section aria-label={t("retry.label")} className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-3">
          <RetryButton outRefundNo={refund.outRefundNo} explanation={retryExplanation} />
        </section>
      )}
      <section aria-labelledby="refund-facts" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="refund-facts" className="mb-3 flex flex-wrap items-center gap-3">
          <Money fen={refund.amountFen} className="text-lg font-semibold" />
          <RefundStatusBadge status={refund.status} />
        </h2>
        <RefundFacts refund={refund} people={detail} complete />
      </section>

      <section aria-labelledby="refund-order" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2
          id="refund-order"
          className="mb-3 flex flex-wrap items-baseline gap-x-3 text-sm font-semibold text-slate-900"
        >
          {t("detail.order")}
          <Link href={`/orders/${order.id}`} className="font-mono text-xs font-normal text-brand-700 hover:underline">
            {order.outTradeNo}
          </Link>
          <span className="text-xs font-normal text-slate-500">
            {order.description} · {t("detail.paidAt")} <DateTime value={order.paidAt} />
          </span>
        </h2>
        <OrderTotals order={order} now={new Date()} />
      </section>

      <section aria-labelledby="evidence-trail" className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 id="evidence-trail" className="text-sm font-semibold text-slate-900">
            {t("detail.evidence")}
          </h2>
          <a
            href={`/api/refunds/${encodeURIComponent(refund.outRefundNo)}/evidence`}
            download
            className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
          >
            <Download className="h-4 w-4" aria-hidden />
            {t("detail.downloadEvidence")}
          </a>
        </div>
        <EvidenceTimeline items={trail.items} />
      </section>
    </>
  );
}
