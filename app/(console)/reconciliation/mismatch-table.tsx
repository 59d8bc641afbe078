import Link from "next/link";
import { useTranslations } from "next-intl";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import type { MismatchRow } from "@/lib/reconciliation/queries";
import { ComparedValue, RefundNo } from "./parts";
import { ResolveActions } from "./resolve-actions";

/** Mismatches with both sides side by side; open ones get the resolve actions when the viewer may resolve. */
export function MismatchTable({
  rows,
  mayResolve,
  empty,
}: {
  rows: MismatchRow[];
  mayResolve: boolean;
  empty: string;
}) {
  const t = useTranslations("reconciliation");
  const columns: Column<MismatchRow>[] = [
    {
      header: t("queue.billDate"),
      cell: (m) => (
        <Link
          href={`/reconciliation/${m.billDayId}`}
          className="tabular-nums whitespace-nowrap text-brand-700 hover:underline"
        >
          {m.billDate}
        </Link>
      ),
    },
    {
      header: t("queue.outRefundNo"),
      cell: (m) => <RefundNo outRefundNo={m.outRefundNo} known={m.refundId !== null} />,
    },
    {
      header: t("queue.kind"),
      cell: (m) => <span className="text-sm font-medium text-slate-900">{t(`kinds.${m.kind}`)}</span>,
    },
    {
      header: t("queue.console"),
      cell: (m) => <ComparedValue value={m.consoleValue} differing={m.consoleValue?.differing} />,
    },
    {
      header: t("queue.bill"),
      cell: (m) => <ComparedValue value={m.billValue} differing={m.consoleValue?.differing} />,
    },
    {
      header: t("queue.state"),
      cell: (m) =>
        m.status === "OPEN" ? (
          <span className="text-xs font-medium text-red-700">{t("resolution.open")}</span>
        ) : (
          <div className="text-xs text-slate-600">
            <div className="font-medium text-emerald-700">{t(`resolution.${m.resolution ?? "explained"}`)}</div>
            {m.note && <div className="max-w-64 break-words italic">“{m.note}”</div>}
            <div>
              {m.resolvedByEmail ?? ""} <DateTime value={m.resolvedAt} />
            </div>
          </div>
        ),
    },
  ];
  if (mayResolve) {
    columns.push({
      header: t("queue.actions"),
      cell: (m) => (m.status === "OPEN" ? <ResolveActions id={m.id} kind={m.kind} /> : null),
    });
  }
  return (
    <DataTable
      columns={columns}
      rows={rows}
      rowKey={(m) => m.id}
      empty={empty}
      rowClassName={(m) => (m.status === "OPEN" ? "bg-red-50/40" : undefined)}
    />
  );
}
