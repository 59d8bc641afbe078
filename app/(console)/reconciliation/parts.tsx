import Link from "next/link";
import { useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/status-badge";
import { Money } from "@/components/money";
import type { BillDayStatus } from "@/lib/db/schema";

const DAY_TONES: Record<BillDayStatus, BadgeTone> = {
  PENDING: "slate",
  MISSING: "amber",
  MATCHED: "green",
  MISMATCHED: "red",
  ERROR: "red",
};

export function DayStatusBadge({ status }: { status: BillDayStatus }) {
  const t = useTranslations("reconciliation.status");
  return <Badge tone={DAY_TONES[status]} label={t(status)} />;
}

/** A refund number, linked to the refund when the console has one. */
export function RefundNo({ outRefundNo, known }: { outRefundNo: string; known: boolean }) {
  if (!known) return <span className="font-mono text-xs">{outRefundNo}</span>;
  return (
    <Link
      href={`/refunds/${encodeURIComponent(outRefundNo)}`}
      className="font-mono text-xs text-brand-700 hover:underline"
    >
      {outRefundNo}
    </Link>
  );
}

const SHOWN = ["status", "refundStatus", "refundFen", "settlementRefundFen", "couponRefundFen", "time"] as const;

/** The compared fields of one side of a mismatch; amounts that differ are marked. */
export function ComparedValue({
  value,
  differing = [],
}: {
  value: Record<string, unknown> | null;
  differing?: unknown;
}) {
  const t = useTranslations("reconciliation.values");
  if (!value) return <span className="text-slate-400">{t("none")}</span>;
  const marked = Array.isArray(differing) ? differing : [];
  const fields = SHOWN.filter((k) => value[k] !== undefined && value[k] !== null);
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
      {fields.map((k) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{t(k === "refundStatus" ? "status" : k)}</dt>
          <dd className={marked.includes(k) ? "font-semibold text-red-700" : "text-slate-900"}>
            {k.endsWith("Fen") ? (
              <Money fen={Number(value[k])} />
            ) : (
              <span className="font-mono">{String(value[k])}</span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
