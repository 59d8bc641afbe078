import type { Db } from "../db/client";
import { alertItems } from "../db/schema";

/** What operators are alerted about (docs/alerts.md). */
export const ALERT_KINDS = [
  "refund_stuck",
  "refund_abnormal",
  "reconciliation_mismatch",
  "configuration_error",
  "endpoint_failing",
  "gateway_errors",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertInput {
  kind: AlertKind;
  merchantId: string | null;
  /** What it is about; raised once per kind and subject, however often it is noticed. */
  subject: string;
  detail?: Record<string, unknown>;
  at?: Date;
}

/** Raise an alert, once per subject: the dispatcher sends it, grouped with others of its kind (lib/alerts/dispatch.ts). */
export async function raiseAlert(db: Db, alert: AlertInput): Promise<void> {
  await db
    .insert(alertItems)
    .values({
      kind: alert.kind,
      merchantId: alert.merchantId,
      subject: alert.subject,
      detail: alert.detail ?? {},
      raisedAt: alert.at ?? new Date(),
    })
    .onConflictDoNothing();
}
