import { useTranslations } from "next-intl";
import { DateTime } from "@/components/date-time";
import { EventSourceBadge, RefundStatusBadge } from "@/components/status-badge";
import { useCodeLabel } from "@/components/use-code-label";
import type { RefundEventRow } from "@/lib/db/queries/refunds";

/** WeChat's error code and message, when the event recorded one (gateway answers, callbacks, reconciler queries). */
function wechatCode(payload: Record<string, unknown>): { code: string; message: string | null } | null {
  const { code, message } = payload;
  if (typeof code !== "string" && typeof code !== "number") return null;
  return { code: String(code), message: typeof message === "string" ? message : null };
}

/**
 * A refund's history, oldest event first. It takes plain props and holds no data access, so the same component can
 * later render events pushed to the page as they happen.
 */
export function RefundTimeline({ events }: { events: readonly RefundEventRow[] }) {
  const t = useTranslations("components.refundTimeline");
  const eventLabel = useCodeLabel("components.refundTimeline.events");
  if (events.length === 0) return <p className="text-sm text-slate-500">{t("empty")}</p>;
  return (
    <ol className="relative ml-1.5 border-l border-slate-200" aria-label={t("label")}>
      {events.map((e) => {
        const wechat = wechatCode(e.payload);
        const to = e.statusTo;
        // Events that leave the status as it was (a retry, a query) get a lighter dot than transitions.
        const changed = to !== null && to !== e.statusFrom;
        return (
          <li key={e.id} className="relative pb-3 pl-5 last:pb-0">
            <span
              className={`absolute top-1.5 -left-[5px] h-2.5 w-2.5 rounded-full ring-2 ring-white ${changed ? "bg-slate-700" : "bg-slate-300"}`}
              aria-hidden
            />
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
              <span className="text-xs text-slate-500">
                <DateTime value={e.at} />
              </span>
              <span className="font-medium text-slate-900">{eventLabel(e.type)}</span>
              <EventSourceBadge source={e.source} />
              {e.actorName && <span className="text-slate-600">{t("by", { name: e.actorName })}</span>}
              {changed && (
                <span className="flex items-center gap-1">
                  {e.statusFrom && <RefundStatusBadge status={e.statusFrom} />}
                  {e.statusFrom && (
                    <span className="text-slate-400" aria-label={t("to")}>
                      →
                    </span>
                  )}
                  <RefundStatusBadge status={to} />
                </span>
              )}
            </div>
            {wechat && (
              <p className="mt-0.5 text-xs text-red-700">
                <span className="font-mono">{wechat.code}</span>
                {wechat.message && <span className="ml-1">{wechat.message}</span>}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
