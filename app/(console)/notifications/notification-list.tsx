"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import type { PresentFields } from "@/components/data-table";
import { BeijingTime, type TimeFormat } from "@/components/date-time";
import { Badge, type BadgeTone } from "@/components/status-badge";
import { useCodeLabel } from "@/components/use-code-label";
import type { NotificationListRow, NotificationOutcome } from "@/lib/db/queries/notifications";
import { NotificationEvidence } from "./notification-details";
import { ReapplyButton } from "./reapply";

/** A row as the page sends it: its line's fields, empty ones left out (`presentFields`). */
export type NotificationRow = PresentFields<NotificationListRow>;

// Keyed by any string: the column is text, and an outcome written by a newer handler still gets a neutral badge.
const OUTCOME_TONES: Record<string, BadgeTone | undefined> = {
  applied: "green",
  duplicate: "slate",
  unmatched: "amber",
  rejected: "red",
  stale: "slate",
  error: "red",
} satisfies Record<NotificationOutcome, BadgeTone>;

const HEADERS = [
  "receivedAt",
  "protocol",
  "eventType",
  "verification",
  "rejection",
  "outcome",
  "notificationId",
  "refund",
  "http",
] as const;

/** A grid cell with a second line when there is one (a flag under a badge); most rows have none. */
function Stacked({ children, second }: { children: ReactNode; second: ReactNode }) {
  if (!second) return children;
  return (
    <span className="stack">
      {children}
      {second}
    </span>
  );
}

/** The refund a row links to: the one it was applied to, or the one it names once that exists. */
const linkedRefundNo = (n: NotificationRow) => n.outRefundNo ?? (n.reapplicable ? n.noticeRefundNo : undefined);

/**
 * One callback: its line, and once opened, what can be done about it and its evidence (fetched then, not sent with
 * the page). A `<details>` so that it opens in place.
 */
function NotificationItem({ n, canReapply, time }: { n: NotificationRow; canReapply: boolean; time: TimeFormat }) {
  const t = useTranslations("notifications");
  const status = useTranslations("status.refund");
  const outcomeLabel = useCodeLabel("notifications.outcomes");
  const verificationLabel = useCodeLabel("notifications.verification");
  const [opened, setOpened] = useState(false);
  const refundNo = linkedRefundNo(n);
  return (
    <details
      className={n.abnormal ? "abnormal" : undefined}
      onToggle={(event) => event.currentTarget.open && setOpened(true)}
    >
      <summary>
        <BeijingTime value={n.receivedAt} format={time} />
        <span className="protocol">{n.protocol}</span>
        <Stacked second={n.abnormal && <Badge tone="red" label={status("ABNORMAL")} />}>
          <span
            className="mono"
            title={n.eventType && t.has(`events.${n.eventType}`) ? t(`events.${n.eventType}`) : undefined}
          >
            {n.eventType}
          </span>
        </Stacked>
        <Badge tone={n.verification === "verified" ? "green" : "red"} label={verificationLabel(n.verification)} />
        <span className="mono text-red-700">{n.rejectionCode}</span>
        <Stacked second={n.reapplicable && <span className="reapplicable">{t("reapplicable")}</span>}>
          <Badge tone={OUTCOME_TONES[n.outcome] ?? "slate"} label={outcomeLabel(n.outcome)} />
        </Stacked>
        <span className="mono id" title={n.notificationId}>
          {n.notificationId}
        </span>
        {refundNo ? (
          <Link href={`/refunds/${encodeURIComponent(refundNo)}`} className="link-id">
            {refundNo}
          </Link>
        ) : (
          <span className="mono text-slate-500">{n.noticeRefundNo}</span>
        )}
        <span className={`num${n.responseStatus !== undefined && n.responseStatus >= 400 ? " text-red-700" : ""}`}>
          {n.responseStatus}
        </span>
      </summary>
      {opened && (
        <div className="grid gap-4 border-t border-slate-100 bg-slate-50 px-4 py-3 lg:grid-cols-2">
          {canReapply && n.reapplicable && n.noticeRefundNo && (
            <div className="lg:col-span-2">
              <ReapplyButton id={n.id} name={n.notificationId ?? `#${n.id}`} outRefundNo={n.noticeRefundNo} />
            </div>
          )}
          {/* A stale or duplicate ABNORMAL report changed nothing: the refund already shows another result. */}
          {n.abnormal && (n.outcome === "applied" || n.outcome === "unmatched") && (
            <AbnormalRefundNote className="lg:col-span-2" />
          )}
          <NotificationEvidence id={n.id} rejectionCode={n.rejectionCode} />
        </div>
      )}
    </details>
  );
}

/**
 * The callback log, rendered from row data in this client component: each row's line is sent once, as data, and its
 * evidence only when it is opened (ADR 022). Its columns are a grid (app/globals.css, `.callback-log`) that the header
 * and every summary share, since a table row cannot open in place. `canReapply` (admins) adds the re-apply button to
 * callbacks whose refund exists now.
 */
export function NotificationList({
  rows,
  empty,
  canReapply,
  time,
}: {
  rows: NotificationRow[];
  empty: ReactNode;
  canReapply: boolean;
  time: TimeFormat;
}) {
  const t = useTranslations("notifications");
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <div className="callback-log min-w-[72rem] text-sm">
        <div className="callback-log-grid header">
          <span />
          {HEADERS.map((h) => (
            <span key={h} className={h === "http" ? "text-right" : undefined}>
              {t(`columns.${h}`)}
            </span>
          ))}
        </div>
        {rows.length === 0 ? (
          <div className="border-t border-slate-200 px-3 py-10 text-center text-slate-500">{empty}</div>
        ) : (
          rows.map((n) => <NotificationItem key={n.id} n={n} canReapply={canReapply} time={time} />)
        )}
      </div>
    </div>
  );
}
