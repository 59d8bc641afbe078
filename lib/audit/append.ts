import type { Db } from "../db/client";
import { auditLog } from "../db/schema";

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
  type: string;
  id: string | number;
  merchantId?: string | null;
}

/** Append one audit row; pass the transaction that made the change so both commit together. */
export async function appendAudit(
  db: Db,
  actor: AuditActor,
  action: string,
  target: AuditTarget | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.insert(auditLog).values({
    actorId: actor.id,
    actorLabel: actor.label,
    merchantId: target?.merchantId ?? null,
    action,
    targetType: target?.type ?? null,
    targetId: target ? String(target.id) : null,
    details,
    ip: actor.ip ?? null,
  });
}
