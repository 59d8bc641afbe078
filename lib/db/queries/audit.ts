import { and, desc, eq, ilike, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client";
import { auditLog } from "../schema";
import { beijingDayRange, containsPattern, dayParam } from "./filters";
import { beforeCursor, decodeCursor, epochMicros, toPage } from "./keyset";

/** The audit log's filters, as they stand in the URL. Invalid values are dropped, not errors: a URL is shareable. */
export const auditFiltersSchema = z.object({
  action: z.string().trim().min(1).max(64).optional().catch(undefined),
  actor: z.string().trim().min(1).max(254).optional().catch(undefined),
  from: dayParam,
  to: dayParam,
  after: z.string().optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

export async function listAuditEntries(db: Db, filters: AuditFilters, pageSize = 50) {
  const conditions: (SQL | undefined)[] = [];
  if (filters.action) conditions.push(eq(auditLog.action, filters.action));
  // Part of an email, any case: the label may be an email, `system`, `api-key:<prefix>` or a mistyped sign-in.
  if (filters.actor) conditions.push(ilike(auditLog.actorLabel, containsPattern(filters.actor)));
  conditions.push(...beijingDayRange(auditLog.at, filters.from, filters.to));
  const cursor = decodeCursor(filters.after);
  if (cursor) conditions.push(beforeCursor(auditLog.at, auditLog.id, cursor));
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorLabel: auditLog.actorLabel,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      details: auditLog.details,
      ip: auditLog.ip,
      cursorMicros: epochMicros(auditLog.at),
    })
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(pageSize + 1);
  return toPage(rows, pageSize);
}

export type AuditListRow = Awaited<ReturnType<typeof listAuditEntries>>["rows"][number];

/**
 * The distinct actions, for the action filter. A skip scan over audit_log_action_at_idx: one index probe per
 * distinct action instead of reading the whole, ever-growing log as `select distinct` would.
 */
export async function listAuditActions(db: Db): Promise<string[]> {
  const rows = await db.execute<{ action: string }>(sql`
    with recursive actions(action) as (
      (select ${auditLog.action} from ${auditLog} order by ${auditLog.action} limit 1)
      union all
      select (select a.action from ${auditLog} a where a.action > actions.action order by a.action limit 1)
      from actions
      where actions.action is not null
    )
    select action from actions where action is not null
  `);
  return rows.map((r) => r.action);
}
