import { useTranslations } from "next-intl";
import type { EventSource, RefundStatus } from "@/lib/db/schema";
import type { OrderRefundState } from "@/lib/db/queries/orders";

/** Badge colours; each is a `.badge-<tone>` class in app/globals.css. */
export type BadgeTone = "green" | "blue" | "amber" | "red" | "slate" | "violet";

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
  return <span className={`badge badge-${tone}`}>{label}</span>;
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
