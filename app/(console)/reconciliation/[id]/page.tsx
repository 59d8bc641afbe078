import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import type { BillLine } from "@/lib/db/schema";
import { getBillDay, listBillLines, listMismatches } from "@/lib/reconciliation/queries";
import { MismatchTable } from "../mismatch-table";
import { DayStatusBadge, RefundNo } from "../parts";
import { RunForm } from "../run-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("reconciliation");
  return { title: t("title") };
}

const ERRORS_EXPLAINED = ["BILL_HASH_MISMATCH", "STATEMENT_CREATING", "NO_STATEMENT_EXIST"];

export default async function BillDayPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const t = await getTranslations("reconciliation");
  const id = Number((await params).id);
  if (!Number.isSafeInteger(id) || id <= 0) notFound();
  const db = getDb();
  const day = await getBillDay(db, user.merchantId, id);
  if (!day) notFound();
  const [mismatches, lines] = await Promise.all([
    listMismatches(db, user.merchantId, { billDayId: id }),
    listBillLines(db, user.merchantId, id),
  ]);
  const mayResolve = can(user.role, "resolveReconciliation");

  const lineColumns: Column<BillLine>[] = [
    { header: t("day.lineNo"), align: "right", cell: (l) => <span className="tabular-nums">{l.lineNo}</span> },
    { header: t("day.time"), cell: (l) => <span className="tabular-nums text-xs">{l.raw["交易时间"]}</span> },
    { header: t("queue.outRefundNo"), cell: (l) => <RefundNo outRefundNo={l.outRefundNo} known={false} /> },
    { header: t("day.outTradeNo"), cell: (l) => <span className="font-mono text-xs">{l.outTradeNo}</span> },
    { header: t("day.refundStatus"), cell: (l) => <span className="font-mono text-xs">{l.refundStatus}</span> },
    { header: t("day.refund"), align: "right", cell: (l) => <Money fen={l.refundFen} /> },
    {
      header: t("day.settlement"),
      align: "right",
      cell: (l) => (l.settlementRefundFen === null ? null : <Money fen={l.settlementRefundFen} />),
    },
    { header: t("day.coupon"), align: "right", cell: (l) => <Money fen={l.couponRefundFen} /> },
  ];
  const error = day.lastErrorCode
    ? t(`errors.${ERRORS_EXPLAINED.includes(day.lastErrorCode) ? day.lastErrorCode : "other"}`)
    : null;

  return (
    <>
      <PageHeader
        title={t("day.title", { date: day.billDate })}
        subtitle={day.merchantName}
        actions={
          <Link href="/reconciliation" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            {t("day.back")}
          </Link>
        }
      />
      <section aria-labelledby="bill-facts" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="bill-facts" className="mb-3 flex flex-wrap items-center gap-3 text-sm font-semibold text-slate-900">
          {t("day.facts")}
          <span data-testid="day-status">
            <DayStatusBadge status={day.status} />
          </span>
        </h2>
        <DetailList>
          <Detail label={t("day.wechatCount")}>{day.billTotals?.lineCount ?? null}</Detail>
          <Detail label={t("day.wechatSum")}>
            {day.billTotals ? <Money fen={day.billTotals.refundFen ?? 0} /> : null}
          </Detail>
          <Detail label={t("day.consoleCount")}>{day.consoleTotals?.lineCount ?? null}</Detail>
          <Detail label={t("day.consoleSum")}>
            {day.consoleTotals ? <Money fen={day.consoleTotals.refundFen ?? 0} /> : null}
          </Detail>
          <Detail label={t("day.fetchedAt")}>
            <DateTime value={day.fetchedAt} />
          </Detail>
          <Detail label={t("day.attempts")}>{day.attempts}</Detail>
          <Detail label={t("day.nextAttempt")}>
            <DateTime value={day.nextAttemptAt} />
          </Detail>
          <Detail label={t("day.hash")} mono>
            {day.hashValue ? `${day.hashType} ${day.hashValue}` : null}
          </Detail>
          {error && (
            <Detail label={t("day.error")} wide>
              <span className="text-red-700">
                {error} <span className="font-mono text-xs">{day.lastErrorCode}</span>
              </span>
            </Detail>
          )}
        </DetailList>
        {mayResolve && (
          <div className="mt-4 border-t border-slate-100 pt-3">
            <RunForm defaultDate={day.billDate} fixed />
          </div>
        )}
      </section>
      <section aria-labelledby="day-mismatches" className="mb-6">
        <h2 id="day-mismatches" className="mb-2 text-sm font-semibold text-slate-900">
          {t("day.mismatches")}
        </h2>
        <MismatchTable rows={mismatches} mayResolve={mayResolve} empty={t("queue.empty")} />
      </section>
      <section aria-labelledby="day-lines">
        <h2 id="day-lines" className="mb-2 text-sm font-semibold text-slate-900">
          {t("day.lines")}
        </h2>
        <DataTable columns={lineColumns} rows={lines} rowKey={(l) => l.id} empty={t("day.linesEmpty")} />
      </section>
    </>
  );
}
