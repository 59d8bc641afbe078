import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { AbnormalRefundNote } from "@/components/abnormal-refund-note";
import { DateTime } from "@/components/date-time";
import { Badge, type BadgeTone } from "@/components/status-badge";
import { useCodeLabel } from "@/components/use-code-label";
import {
  RAW_BODY_PREVIEW_BYTES,
  type NotificationListRow,
  type NotificationOutcome,
} from "@/lib/db/queries/notifications";
import { truncateUtf8 } from "@/lib/text";
import { ReapplyButton } from "./reapply";

// Keyed by any string: the column is text, and an outcome written by a newer handler still gets a neutral badge.
const OUTCOME_TONES: Record<string, BadgeTone | undefined> = {
  applied: "green",
  duplicate: "slate",
  unmatched: "amber",
  rejected: "red",
  stale: "slate",
  error: "red",
} satisfies Record<NotificationOutcome, BadgeTone>;

/**
 * Rows are `<details>` so each one opens in place; a table row cannot, so the columns are a grid that the header
 * row and every summary share. The leading column holds the open/closed chevron.
 */
const GRID =
  "grid grid-cols-[1rem_10.5rem_2.5rem_10rem_5.5rem_7rem_7rem_minmax(10rem,1fr)_8rem_3rem] items-center gap-x-3";
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

const dash = <span className="text-slate-400">—</span>;

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      {children}
    </div>
  );
}

function Code({ children }: { children: string }) {
  return (
    <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap text-slate-100">
      {children}
    </pre>
  );
}

/** The refund a row links to: the one it was applied to, or the one it names once that exists. */
const linkedRefundNo = (n: NotificationListRow) => n.outRefundNo ?? (n.reapplicable ? n.noticeRefundNo : null);

function NotificationDetails({ n, canReapply }: { n: NotificationListRow; canReapply: boolean }) {
  const t = useTranslations("notifications.details");
  const format = useFormatter();
  const truncated = n.rawBodyBytes > RAW_BODY_PREVIEW_BYTES;
  const headers = Object.entries(n.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  return (
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
      {n.rejectionReason && (
        <div className="lg:col-span-2">
          <Block title={t("rejectionReason")}>
            <p className="text-sm text-red-700">
              {n.rejectionCode && <span className="mr-2 font-mono text-xs">{n.rejectionCode}</span>}
              {n.rejectionReason}
            </p>
          </Block>
        </div>
      )}
      <Block title={t("decrypted")}>
        {n.decrypted ? (
          <Code>{JSON.stringify(n.decrypted, null, 2)}</Code>
        ) : (
          <p className="text-sm text-slate-500">{t("notDecrypted")}</p>
        )}
      </Block>
      <Block title={t("headers")}>
        <Code>{headers || t("noHeaders")}</Code>
      </Block>
      <div className="lg:col-span-2">
        <Block title={t("rawBody")}>
          <Code>{truncateUtf8(n.rawBodyHead, RAW_BODY_PREVIEW_BYTES)}</Code>
          {truncated && (
            <p className="mt-1 text-xs text-slate-500">
              {t("truncated", { kib: RAW_BODY_PREVIEW_BYTES / 1024, bytes: format.number(n.rawBodyBytes) })}
            </p>
          )}
        </Block>
      </div>
    </div>
  );
}

/** The callback log; `canReapply` (admins) adds the re-apply button to callbacks whose refund exists now. */
export function NotificationList({
  rows,
  empty,
  canReapply,
}: {
  rows: NotificationListRow[];
  empty: ReactNode;
  canReapply: boolean;
}) {
  const t = useTranslations("notifications");
  const status = useTranslations("status.refund");
  const outcomeLabel = useCodeLabel("notifications.outcomes");
  const verificationLabel = useCodeLabel("notifications.verification");
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <div className="min-w-[72rem] text-sm">
        <div
          className={`${GRID} bg-slate-50 px-3 py-2 text-xs font-semibold tracking-wide whitespace-nowrap text-slate-500 uppercase`}
        >
          <span />
          {HEADERS.map((h) => (
            <span key={h} className={h === "http" ? "text-right" : ""}>
              {t(`columns.${h}`)}
            </span>
          ))}
        </div>
        {rows.length === 0 ? (
          <div className="border-t border-slate-200 px-3 py-10 text-center text-slate-500">{empty}</div>
        ) : (
          rows.map((n) => (
            <details key={n.id} className="group border-t border-slate-100" data-testid={`notification-${n.id}`}>
              <summary
                className={`${GRID} cursor-pointer list-none px-3 py-1.5 [&::-webkit-details-marker]:hidden ${n.abnormal ? "bg-red-50/60 hover:bg-red-50" : "hover:bg-slate-50"}`}
              >
                <span className="text-slate-400 transition-transform group-open:rotate-90" aria-hidden>
                  ▸
                </span>
                <DateTime value={n.receivedAt} />
                <span className="text-xs text-slate-500 uppercase">{n.protocol}</span>
                <span className="flex min-w-0 flex-col items-start gap-0.5">
                  <span
                    className="max-w-full truncate font-mono text-xs"
                    title={n.eventType && t.has(`events.${n.eventType}`) ? t(`events.${n.eventType}`) : undefined}
                  >
                    {n.eventType ?? dash}
                  </span>
                  {n.abnormal && <Badge tone="red" label={status("ABNORMAL")} />}
                </span>
                <span>
                  <Badge
                    tone={n.verification === "verified" ? "green" : "red"}
                    label={verificationLabel(n.verification)}
                  />
                </span>
                <span className="truncate font-mono text-xs text-red-700">{n.rejectionCode ?? dash}</span>
                <span className="flex flex-col items-start gap-0.5">
                  <Badge tone={OUTCOME_TONES[n.outcome] ?? "slate"} label={outcomeLabel(n.outcome)} />
                  {n.reapplicable && (
                    <span className="text-[11px] whitespace-nowrap text-amber-700">{t("reapplicable")}</span>
                  )}
                </span>
                <span className="truncate font-mono text-xs text-slate-600" title={n.notificationId ?? undefined}>
                  {n.notificationId ?? dash}
                </span>
                <span className="truncate">
                  {linkedRefundNo(n) ? (
                    <Link
                      href={`/refunds/${encodeURIComponent(linkedRefundNo(n)!)}`}
                      className="font-mono text-xs text-brand-700 hover:underline"
                    >
                      {linkedRefundNo(n)}
                    </Link>
                  ) : n.noticeRefundNo ? (
                    <span className="font-mono text-xs text-slate-500">{n.noticeRefundNo}</span>
                  ) : (
                    dash
                  )}
                </span>
                <span
                  className={`text-right tabular-nums ${n.responseStatus !== null && n.responseStatus >= 400 ? "text-red-700" : ""}`}
                >
                  {n.responseStatus ?? dash}
                </span>
              </summary>
              <NotificationDetails n={n} canReapply={canReapply} />
            </details>
          ))
        )}
      </div>
    </div>
  );
}
