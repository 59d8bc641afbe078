import { useTranslations } from "next-intl";
import type { EventSource, RefundStatus } from "@/lib/db/schema";
import type { OrderRefundState } from "@/lib/db/queries/orders";

const TONES = {
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  blue: "bg-sky-50 text-sky-700 ring-sky-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/20",
  slate: "bg-slate-100 text-slate-600 ring-slate-500/20",
  violet: "bg-violet-50 text-violet-700 ring-violet-600/20",
} as const;

export type BadgeTone = keyof typeof TONES;

// Labels come from the `status` messages (status.refund.X, status.order.X, status.source.X); only the tones live here.
export const REFUND_STATUS_TONES: Record<RefundStatus, BadgeTone> = {
  AWAITING_APPROVAL: "violet",
  PENDING: "amber",
  PROCESSING: "blue",
  SUCCESS: "green",
  CLOSED: "slate",
  ABNORMAL: "red",
  FAILED: "red",
  REJECTED: "slate",
};

const SOURCE: Record<EventSource, BadgeTone> = {
  operator: "violet",
  gateway: "blue",
  notify: "green",
  reconciler: "amber",
  system: "slate",
};

export const ORDER_STATE_TONES: Record<OrderRefundState, BadgeTone> = {
  none: "slate",
  partial: "amber",
  full: "green",
  in_progress: "blue",
};

export function Badge({ tone, label }: { tone: BadgeTone; label: string }) {
  return (
    <span
      className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[tone]}`}
    >
      {label}
    </span>
  );
}

export function RefundStatusBadge({ status }: { status: RefundStatus }) {
  const t = useTranslations("status.refund");
  return <Badge tone={REFUND_STATUS_TONES[status]} label={t(status)} />;
}

/** Who wrote a refund event: an operator, the gateway's answer, a callback, the reconciler, or the console itself. */
export function EventSourceBadge({ source }: { source: EventSource }) {
  const t = useTranslations("status.source");
  return <Badge tone={SOURCE[source]} label={t(source)} />;
}

export function OrderStateBadge({ state }: { state: OrderRefundState }) {
  const t = useTranslations("status.order");
  return <Badge tone={ORDER_STATE_TONES[state]} label={t(state)} />;
}
