import { and, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "../client";
import { auditLog, users } from "../schema";
import { beijingDayRange, containsPattern, dayParam } from "./filters";
import { logScopeCondition, type LogScope } from "./scope";
import { cursorColumn, keysetPage, type ListOrder } from "./keyset";

/**
 * The audit log's filters, as they stand in the URL. Invalid values are dropped, not errors: a URL is shareable.
 * The log is append-only (database triggers refuse UPDATE and DELETE); this module only reads it.
 */
export const auditFiltersSchema = z.object({
  action: z.string().trim().min(1).max(64).optional().catch(undefined),
  actor: z.string().trim().min(1).max(254).optional().catch(undefined),
  target: z.string().trim().min(1).max(200).optional().catch(undefined),
  from: dayParam,
  to: dayParam,
  after: z.string().optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

const actors = alias(users, "actors");
/** The user a `user` target names (its id is stored as text), to show their email rather than a UUID. */
const targetUsers = alias(users, "target_users");

const auditListOrder: ListOrder = { at: auditLog.at, id: auditLog.id };

export async function listAuditEntries(db: Db, scope: LogScope, filters: AuditFilters, pageSize = 50) {
  const conditions: (SQL | undefined)[] = [logScopeCondition(auditLog.merchantId, scope)];
  if (filters.action) conditions.push(eq(auditLog.action, filters.action));
  // Part of an email or a name, any case: the label may be an email, `system`, `api-key:<prefix>` or a mistyped sign-in.
  if (filters.actor) {
    const pattern = containsPattern(filters.actor);
    conditions.push(or(ilike(auditLog.actorLabel, pattern), ilike(actors.name, pattern)));
  }
  // `R2024…`, `refund`, `refund:R2024…` or a target user's email all find the entries about it.
  if (filters.target) {
    const pattern = containsPattern(filters.target);
    conditions.push(
      or(
        ilike(sql`concat_ws(':', ${auditLog.targetType}, ${auditLog.targetId})`, pattern),
        ilike(targetUsers.email, pattern),
      ),
    );
  }
  conditions.push(...beijingDayRange(auditLog.at, filters.from, filters.to));
  const query = db
    .select({
      ...cursorColumn(auditListOrder),
      id: auditLog.id,
      at: auditLog.at,
      actorLabel: auditLog.actorLabel,
      actorName: actors.name,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      targetUserEmail: targetUsers.email,
      details: auditLog.details,
      ip: auditLog.ip,
    })
    .from(auditLog)
    .leftJoin(actors, eq(actors.id, auditLog.actorId))
    .leftJoin(targetUsers, and(eq(auditLog.targetType, "user"), eq(sql`${targetUsers.id}::text`, auditLog.targetId)))
    .$dynamic();
  return keysetPage(query, auditListOrder, conditions, filters.after, pageSize);
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
