import { useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/status-badge";
import type { WebhookDelivery, WebhookEndpoint } from "@/lib/db/schema";

const ENDPOINT_TONES: Record<WebhookEndpoint["status"], BadgeTone> = {
  enabled: "green",
  disabled: "slate",
  failing: "red",
};
const DELIVERY_TONES: Record<WebhookDelivery["status"], BadgeTone> = {
  pending: "amber",
  delivered: "green",
  failed: "red",
};

export function EndpointStatusBadge({ status }: { status: WebhookEndpoint["status"] }) {
  const t = useTranslations("webhooks.statuses");
  return <Badge tone={ENDPOINT_TONES[status]} label={t(status)} />;
}

export function DeliveryStatusBadge({ status }: { status: WebhookDelivery["status"] }) {
  const t = useTranslations("webhooks.deliveryStatuses");
  return <Badge tone={DELIVERY_TONES[status]} label={t(status)} />;
}
