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

const REFUND: Record<RefundStatus, { tone: BadgeTone; label: string }> = {
  AWAITING_APPROVAL: { tone: "violet", label: "Awaiting approval" },
  PENDING: { tone: "amber", label: "Pending" },
  PROCESSING: { tone: "blue", label: "Processing" },
  SUCCESS: { tone: "green", label: "Succeeded" },
  CLOSED: { tone: "slate", label: "Closed" },
  ABNORMAL: { tone: "red", label: "Abnormal" },
  FAILED: { tone: "red", label: "Failed" },
  REJECTED: { tone: "slate", label: "Rejected" },
};

const SOURCE: Record<EventSource, { tone: BadgeTone; label: string }> = {
  operator: { tone: "violet", label: "operator" },
  gateway: { tone: "blue", label: "gateway" },
  notify: { tone: "green", label: "notify" },
  reconciler: { tone: "amber", label: "reconciler" },
  system: { tone: "slate", label: "system" },
};

const ORDER: Record<OrderRefundState, { tone: BadgeTone; label: string }> = {
  none: { tone: "slate", label: "Not refunded" },
  partial: { tone: "amber", label: "Partly refunded" },
  full: { tone: "green", label: "Fully refunded" },
  in_progress: { tone: "blue", label: "Refund in progress" },
};

export function Badge({ tone, label }: { tone: BadgeTone; label: string }) {
  return (
    <span className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[tone]}`}>
      {label}
    </span>
  );
}

export function RefundStatusBadge({ status }: { status: RefundStatus }) {
  return <Badge {...REFUND[status]} />;
}

export function refundStatusLabel(status: RefundStatus): string {
  return REFUND[status].label;
}

/** Who wrote a refund event: an operator, the gateway's answer, a callback, the reconciler, or the console itself. */
export function EventSourceBadge({ source }: { source: EventSource }) {
  return <Badge {...SOURCE[source]} />;
}

export function OrderStateBadge({ state }: { state: OrderRefundState }) {
  return <Badge {...ORDER[state]} />;
}
