import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { QUEUES } from "./refund-jobs";

export interface QueueCount {
  name: string;
  state: string;
  count: number;
}

export interface DeadJob {
  id: string;
  name: string;
  state: string;
  data: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  retryCount: number;
  createdOn: Date;
  completedOn: Date | null;
}

/** Jobs per queue and state, from pg-boss's own table. */
export async function queueCounts(db: Db): Promise<QueueCount[]> {
  const rows = await db.execute<{ name: string; state: string; count: number }>(
    sql`select name, state::text as state, count(*)::int as count from pgboss.job group by name, state order by name, state`,
  );
  return [...rows];
}

/**
 * Jobs that gave up: failed after their retries, and what landed in the dead-letter queue. They are shown to
 * admins; a refund whose job died is also picked up again by the sweep, so nothing stays lost silently.
 */
export async function deadJobs(db: Db, limit = 100): Promise<DeadJob[]> {
  const rows = await db.execute<{
    id: string;
    name: string;
    state: string;
    data: Record<string, unknown> | null;
    output: Record<string, unknown> | null;
    retry_count: number;
    created_on: string;
    completed_on: string | null;
  }>(sql`
    select id, name, state::text as state, data, output, retry_count, created_on, completed_on
    from pgboss.job
    where state = 'failed' or name = ${QUEUES.dead}
    order by created_on desc
    limit ${limit}`);
  return [...rows].map((r) => ({
    id: r.id,
    name: r.name,
    state: r.state,
    data: r.data,
    output: r.output,
    retryCount: r.retry_count,
    createdOn: new Date(r.created_on),
    completedOn: r.completed_on ? new Date(r.completed_on) : null,
  }));
}
