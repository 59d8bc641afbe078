import type { Db } from "../db/client";
import { asPlaceholders, statementsByShape } from "../db/statement";
import { auditLog } from "../db/schema";
import type auditMessages from "../../messages/en/audit.json";

type ActionLabels = (typeof auditMessages)["actions"];

/**
 * An action the audit log has a label for: `group.action` for every entry of `audit.actions` in the messages (English
 * here; every language has the same keys, i18n/messages.test.ts). An action written without a label does not compile.
 */
export type AuditAction = {
  [Group in keyof ActionLabels & string]: `${Group}.${keyof ActionLabels[Group] & string}`;
}[keyof ActionLabels & string];

/** A type of audited thing the audit log has a label for (`audit.targets`). */
export type AuditTargetType = keyof (typeof auditMessages)["targets"];

export interface AuditActor {
  id: string | null;
  label: string;
  ip?: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, label: "system" };

/**
 * What an audit row is about; `merchantId` is the merchant whose data it touched, so that merchant's users see it
 * (without one, only platform admins do).
 */
export interface AuditTarget {
  type: AuditTargetType;
  id: string | number;
  merchantId?: string | null;
}

/** Append one audit row; pass the transaction that made the change so both commit together. */
export async function appendAudit(
  db: Db,
  actor: AuditActor,
  action: AuditAction,
  target: AuditTarget | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const values = asPlaceholders({
    actorId: actor.id,
    actorLabel: actor.label,
    merchantId: target?.merchantId ?? null,
    action,
    targetType: target?.type ?? null,
    targetId: target ? String(target.id) : null,
    details,
    ip: actor.ip ?? null,
  });
  await insertAudit(db, values.shape, values.columns, values.bound);
}

// Built once per shape (lib/db/statement.ts): every refund request appends an entry.
const insertAudit = statementsByShape((db, columns: Record<string, unknown>) =>
  db.insert(auditLog).values(columns as typeof auditLog.$inferInsert),
);
