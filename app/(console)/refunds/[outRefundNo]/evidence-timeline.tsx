import { ArrowDownLeft, ArrowUpRight, FileText, UserRound } from "lucide-react";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { DateTime } from "@/components/date-time";
import { Money } from "@/components/money";
import { Badge, EventSourceBadge, RefundStatusBadge } from "@/components/status-badge";
import type { BillLineItem, CallbackItem, EventItem, EvidenceItem, ExchangeItem } from "@/lib/evidence/trail";
import { MessageText } from "@/components/message-text";
import { describeCode } from "@/lib/wechatpay/errors";

/** The code an event recorded, when it has one (an answer, a failed query, a refusal). */
function codeOf(details: unknown): string | null {
  const code = typeof details === "object" && details !== null ? (details as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : null;
}

/** WeChat's code, what it means in the reader's language. */
function WechatCode({ code }: { code: string }) {
  return (
    <p className="mt-0.5 text-xs text-red-700">
      <span className="font-mono">{code}</span>{" "}
      <span>
        <MessageText message={describeCode(code).message} />
      </span>
    </p>
  );
}

/** The redacted record itself, folded away: what an auditor opens to check. */
function Details({ sections }: { sections: { label: string; value: unknown }[] }) {
  const t = useTranslations("evidence");
  const shown = sections.filter((s) => s.value !== null && s.value !== undefined);
  if (shown.length === 0) return null;
  return (
    <details className="mt-1 text-xs">
      <summary className="cursor-pointer text-slate-500 select-none hover:text-slate-800">{t("details")}</summary>
      {shown.map((s) => (
        <div key={s.label} className="mt-1">
          <div className="font-medium text-slate-600">{s.label}</div>
          <pre className="mt-0.5 max-h-80 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] leading-snug break-all whitespace-pre-wrap text-slate-800">
            {JSON.stringify(s.value, null, 2)}
          </pre>
        </div>
      ))}
    </details>
  );
}

function EventEntry({ item }: { item: EventItem }) {
  const t = useTranslations("evidence");
  const tEvents = useTranslations("components.refundTimeline.events");
  // An approver's refusal and WeChat's share the type `rejected`; the source tells them apart.
  const key = item.type === "rejected" && item.source === "operator" ? "rejected_by_approver" : item.type;
  const label = t.has(`events.${key}`) ? t(`events.${key}`) : tEvents.has(key) ? tEvents(key) : item.type;
  const code = codeOf(item.details);
  const changed = item.statusTo !== null && item.statusTo !== item.statusFrom;
  return (
    <>
      <Heading>
        <span className="font-medium text-slate-900">{label}</span>
        <EventSourceBadge source={item.source} />
        {item.actor && <span className="text-slate-600">{t("by", { name: item.actor })}</span>}
        {changed && (
          <span className="flex items-center gap-1">
            {item.statusFrom && <RefundStatusBadge status={item.statusFrom} />}
            {item.statusFrom && <span className="text-slate-400">→</span>}
            <RefundStatusBadge status={item.statusTo!} />
          </span>
        )}
      </Heading>
      {code && <WechatCode code={code} />}
      <Details sections={[{ label: t("recorded"), value: item.details }]} />
    </>
  );
}

function ExchangeEntry({ item }: { item: ExchangeItem }) {
  const t = useTranslations("evidence");
  const operation = t.has(`operations.${item.operation}`) ? t(`operations.${item.operation}`) : item.operation;
  const answered = item.responseStatus !== null;
  return (
    <>
      <Heading>
        <span className="font-medium text-slate-900">{t("exchange.title", { operation })}</span>
        <Badge
          tone={item.errorCode ? "red" : answered ? "green" : "slate"}
          label={answered ? t("exchange.http", { status: item.responseStatus! }) : t("exchange.noAnswer")}
        />
        <span className="text-xs text-slate-500 tabular-nums">{t("exchange.duration", { ms: item.durationMs })}</span>
        {item.actor && <span className="text-slate-600">{t("by", { name: item.actor })}</span>}
      </Heading>
      <p className="mt-0.5 font-mono text-xs break-all text-slate-600">
        {item.method} {item.path}
      </p>
      {item.errorCode && <WechatCode code={item.errorCode} />}
      <Details
        sections={[
          { label: t("exchange.request"), value: item.request },
          { label: t("exchange.response"), value: item.response },
        ]}
      />
    </>
  );
}

function CallbackEntry({ item }: { item: CallbackItem }) {
  const t = useTranslations("evidence");
  const good = item.verification === "verified" && item.decryption === "decrypted";
  return (
    <>
      <Heading>
        <span className="font-medium text-slate-900">{t("callback.title", { eventType: item.eventType ?? "—" })}</span>
        <Badge
          tone={item.verification === "verified" ? "green" : "red"}
          label={t(`callback.verification.${item.verification}`)}
        />
        <Badge
          tone={item.decryption === "decrypted" ? "green" : item.decryption === "failed" ? "red" : "slate"}
          label={t(`callback.decryption.${item.decryption}`)}
        />
        <Badge
          tone={item.outcome === "applied" ? "blue" : good ? "slate" : "amber"}
          label={t.has(`callback.outcome.${item.outcome}`) ? t(`callback.outcome.${item.outcome}`) : item.outcome}
        />
      </Heading>
      <p className="mt-0.5 text-xs text-slate-600">
        {item.notificationId
          ? t("callback.notificationId", { id: item.notificationId })
          : t("callback.noNotificationId", { protocol: item.protocol })}
        {item.responseStatus !== null && (
          <span className="ml-2">{t("callback.answered", { status: item.responseStatus })}</span>
        )}
      </p>
      {item.rejectionCode && <WechatCode code={item.rejectionCode} />}
      <Details
        sections={[
          { label: t("callback.resource"), value: item.resource },
          { label: t("callback.rejectionReason"), value: item.rejectionReason },
        ]}
      />
    </>
  );
}

function BillLineEntry({ item }: { item: BillLineItem }) {
  const t = useTranslations("evidence");
  return (
    <>
      <Heading>
        <span className="font-medium text-slate-900">
          {t("bill.title", { date: item.billDate, line: item.lineNo })}
        </span>
        {item.refundStatus && (
          <Badge tone={item.refundStatus === "SUCCESS" ? "green" : "slate"} label={item.refundStatus} />
        )}
        <Money fen={item.refundFen} />
      </Heading>
      <Details sections={[{ label: t("bill.line"), value: item.details }]} />
    </>
  );
}

function Heading({ children }: { children: ReactNode }) {
  return <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">{children}</div>;
}

const ICONS = { event: UserRound, exchange: ArrowUpRight, callback: ArrowDownLeft, bill_line: FileText } as const;

/**
 * The refund's evidence trail as one timeline, oldest first: people's requests and decisions, each request to WeChat
 * Pay and its answer, each callback with how it was checked, and each bill line. Every entry unfolds to its record.
 */
export function EvidenceTimeline({ items }: { items: readonly EvidenceItem[] }) {
  const t = useTranslations("evidence");
  if (items.length === 0) return <p className="text-sm text-slate-500">{t("empty")}</p>;
  return (
    <ol className="relative ml-2.5 border-l border-slate-200" aria-label={t("label")}>
      {items.map((item) => {
        const Icon = ICONS[item.kind];
        return (
          <li key={item.key} className="relative pb-4 pl-6 last:pb-0" data-kind={item.kind}>
            <span
              className="absolute top-0.5 -left-[9px] flex h-4 w-4 items-center justify-center rounded-full bg-white ring-1 ring-slate-300"
              aria-hidden
            >
              <Icon className="h-3 w-3 text-slate-600" />
            </span>
            <div className="text-xs text-slate-500">
              <DateTime value={new Date(item.at)} /> · {t(`kinds.${item.kind}`)}
            </div>
            {item.kind === "event" && <EventEntry item={item} />}
            {item.kind === "exchange" && <ExchangeEntry item={item} />}
            {item.kind === "callback" && <CallbackEntry item={item} />}
            {item.kind === "bill_line" && <BillLineEntry item={item} />}
          </li>
        );
      })}
    </ol>
  );
}
