import { useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/status-badge";
import type { BulkBatchStatus, BulkRowStatus } from "@/lib/db/schema";

const BATCH: Record<BulkBatchStatus, BadgeTone> = {
  VALIDATED: "amber",
  AWAITING_APPROVAL: "violet",
  RUNNING: "blue",
  PAUSED: "amber",
  CANCELLED: "slate",
  COMPLETED: "green",
  REJECTED: "slate",
};

const ROW: Record<BulkRowStatus, BadgeTone> = {
  INVALID: "red",
  READY: "slate",
  REQUESTED: "green",
  FAILED: "red",
  SKIPPED: "slate",
};

export function BatchStatusBadge({ status }: { status: BulkBatchStatus }) {
  const t = useTranslations("bulk.status.batch");
  return <Badge tone={BATCH[status]} label={t(status)} />;
}

export function RowStatusBadge({ status }: { status: BulkRowStatus }) {
  const t = useTranslations("bulk.status.row");
  return <Badge tone={ROW[status]} label={t(status)} />;
}
