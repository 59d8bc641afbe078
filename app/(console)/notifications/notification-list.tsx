import Link from "next/link";
import type { ReactNode } from "react";
import { DateTime } from "@/components/date-time";
import { Badge, type BadgeTone } from "@/components/status-badge";
import { RAW_BODY_PREVIEW_BYTES, type NotificationListRow, type NotificationOutcome } from "@/lib/db/queries/notifications";
import { truncateUtf8 } from "@/lib/text";

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
const GRID = "grid grid-cols-[1rem_10.5rem_2.5rem_9rem_5.5rem_8rem_6rem_minmax(10rem,1fr)_8rem_3rem] items-center gap-x-3";
const HEADERS = ["", "Received at", "Proto", "Event type", "Signature", "Rejection", "Outcome", "WeChat notification ID", "Refund", "HTTP"];

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

function NotificationDetails({ n }: { n: NotificationListRow }) {
  const truncated = n.rawBodyBytes > RAW_BODY_PREVIEW_BYTES;
  const headers = Object.entries(n.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  return (
    <div className="grid gap-4 border-t border-slate-100 bg-slate-50 px-4 py-3 lg:grid-cols-2">
      {n.rejectionReason && (
        <div className="lg:col-span-2">
          <Block title="Rejection reason">
            <p className="text-sm text-red-700">
              {n.rejectionCode && <span className="mr-2 font-mono text-xs">{n.rejectionCode}</span>}
              {n.rejectionReason}
            </p>
          </Block>
        </div>
      )}
      <Block title="Decrypted payload">
        {n.decrypted ? <Code>{JSON.stringify(n.decrypted, null, 2)}</Code> : <p className="text-sm text-slate-500">Not decrypted.</p>}
      </Block>
      <Block title="Headers">
        <Code>{headers || "(none)"}</Code>
      </Block>
      <div className="lg:col-span-2">
        <Block title="Raw body">
          <Code>{truncateUtf8(n.rawBodyHead, RAW_BODY_PREVIEW_BYTES)}</Code>
          {truncated && (
            <p className="mt-1 text-xs text-slate-500">
              Showing the first {RAW_BODY_PREVIEW_BYTES / 1024} KiB of {n.rawBodyBytes.toLocaleString("en-US")} bytes.
            </p>
          )}
        </Block>
      </div>
    </div>
  );
}

export function NotificationList({ rows, empty }: { rows: NotificationListRow[]; empty: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <div className="min-w-[72rem] text-sm">
        <div className={`${GRID} bg-slate-50 px-3 py-2 text-xs font-semibold tracking-wide whitespace-nowrap text-slate-500 uppercase`}>
          {HEADERS.map((h, i) => (
            <span key={i} className={h === "HTTP" ? "text-right" : ""}>
              {h}
            </span>
          ))}
        </div>
        {rows.length === 0 ? (
          <div className="border-t border-slate-200 px-3 py-10 text-center text-slate-500">{empty}</div>
        ) : (
          rows.map((n) => (
            <details key={n.id} className="group border-t border-slate-100">
              <summary className={`${GRID} cursor-pointer list-none px-3 py-1.5 hover:bg-slate-50 [&::-webkit-details-marker]:hidden`}>
                <span className="text-slate-400 transition-transform group-open:rotate-90" aria-hidden>
                  ▸
                </span>
                <DateTime value={n.receivedAt} />
                <span className="text-xs text-slate-500 uppercase">{n.protocol}</span>
                <span className="truncate font-mono text-xs">{n.eventType ?? dash}</span>
                <span>
                  <Badge tone={n.verification === "verified" ? "green" : "red"} label={n.verification} />
                </span>
                <span className="truncate font-mono text-xs text-red-700">{n.rejectionCode ?? dash}</span>
                <span>
                  <Badge tone={OUTCOME_TONES[n.outcome] ?? "slate"} label={n.outcome} />
                </span>
                <span className="truncate font-mono text-xs text-slate-600" title={n.notificationId ?? undefined}>
                  {n.notificationId ?? dash}
                </span>
                <span className="truncate">
                  {n.outRefundNo ? (
                    <Link href={`/refunds/${encodeURIComponent(n.outRefundNo)}`} className="font-mono text-xs text-brand-700 hover:underline">
                      {n.outRefundNo}
                    </Link>
                  ) : (
                    dash
                  )}
                </span>
                <span className={`text-right tabular-nums ${n.responseStatus !== null && n.responseStatus >= 400 ? "text-red-700" : ""}`}>
                  {n.responseStatus ?? dash}
                </span>
              </summary>
              <NotificationDetails n={n} />
            </details>
          ))
        )}
      </div>
    </div>
  );
}
