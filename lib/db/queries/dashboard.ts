import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client";
import { refunds, type RefundStatus } from "../schema";
import { beijingDayRange, dayParam } from "./filters";
import { beijingDate } from "../../beijing-time";

/**
 * The dashboard's figures, all aggregated by PostgreSQL in one pass per question. Refunds are counted in the range by
 * the Beijing day they were requested (refunds_created_at_idx, or refunds_merchant_created_at_idx for one merchant);
 * what is in flight or needs attention now is counted over all time through refunds_status_created_at_idx.
 */

export const DASHBOARD_PRESETS = [7, 30, 90] as const;
export type DashboardPreset = (typeof DASHBOARD_PRESETS)[number];
const DEFAULT_PRESET: DashboardPreset = 30;
/** A year and a day: enough for any yearly comparison, small enough to stay a quick range scan. */
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export interface DashboardRange {
  /** Inclusive Beijing days, `YYYY-MM-DD`. */
  from: string;
  to: string;
  days: number;
  /** Set when the range is one of the rolling presets (`?days=7`), so it stays "the last 7 days" when bookmarked. */
  preset: DashboardPreset | null;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
/** `2024-02-31` is not a day, though `Date` would roll it over into March. */
const isRealDay = (day: string) => !Number.isNaN(dayNumber(day)) && dayOf(dayNumber(day)) === day;

const dashboardParamsSchema = z.object({
  days: z.coerce
    .number()
    .pipe(z.union(DASHBOARD_PRESETS.map((n) => z.literal(n))))
    .optional()
    .catch(undefined),
  from: dayParam,
  to: dayParam,
});

/** The last `days` Beijing days, today included. */
export function presetRange(days: DashboardPreset, now: Date): DashboardRange {
  const today = dayNumber(beijingDate(now));
  return { from: dayOf(today - days + 1), to: dayOf(today), days, preset: days };
}

/**
 * The dashboard's URL: a rolling preset (`days=7|30|90`) or a custom `from`–`to`. Anything invalid
 * (an unreal day, a reversed or over-long range) falls back to the last 30 days, as list filters drop bad values.
 */
export function parseDashboardParams(params: Record<string, string | undefined>, now: Date): { range: DashboardRange } {
  const parsed = dashboardParamsSchema.parse(params);
  let range = presetRange(parsed.days ?? DEFAULT_PRESET, now);
  if (!parsed.days && parsed.from && parsed.to && isRealDay(parsed.from) && isRealDay(parsed.to)) {
    const days = dayNumber(parsed.to) - dayNumber(parsed.from) + 1;
    if (days >= 1 && days <= MAX_RANGE_DAYS) range = { from: parsed.from, to: parsed.to, days, preset: null };
  }
  return { range };
}

/** Refunds the range counts: the merchant's, requested on one of its Beijing days. */
function inRange(range: DashboardRange, merchantId: string): SQL | undefined {
  return and(eq(refunds.merchantId, merchantId), ...beijingDayRange(refunds.createdAt, range.from, range.to));
}

/** Outcomes WeChat settled; REJECTED is an approver's decision before anything was sent, so it is no outcome. */
const FINAL = sql`${refunds.status} in ('SUCCESS', 'CLOSED', 'ABNORMAL', 'FAILED')`;
const isStatus = (status: RefundStatus) => eq(refunds.status, status);
const countWhere = (condition: SQL) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);
/** Whole seconds from request to success, interpolated over the refunds that succeeded with a known time. */
const successSeconds = (fraction: number) =>
  sql<
    number | null
  >`round(percentile_cont(${sql.raw(String(fraction))}) within group (order by extract(epoch from ${refunds.finishedAt} - ${refunds.createdAt}))
    filter (where ${isStatus("SUCCESS")} and ${refunds.finishedAt} is not null))::int`.mapWith(Number);

export interface RangeSummary {
  requestedCount: number;
  refundedCount: number;
  refundedFen: number;
  /** Refunds of the range that reached an outcome (SUCCESS, CLOSED, ABNORMAL, FAILED): the rates' denominator. */
  finalCount: number;
  closedCount: number;
  abnormalCount: number;
  failedCount: number;
  p50SuccessSeconds: number | null;
  p90SuccessSeconds: number | null;
}

export async function rangeSummary(db: Db, range: DashboardRange, merchantId: string): Promise<RangeSummary> {
  const [row] = await db
    .select({
      requestedCount: sql<number>`count(*)`.mapWith(Number),
      refundedCount: countWhere(isStatus("SUCCESS")),
      refundedFen: sql<number>`coalesce(sum(${refunds.amountFen}) filter (where ${isStatus("SUCCESS")}), 0)`.mapWith(
        Number,
      ),
      finalCount: countWhere(FINAL),
      closedCount: countWhere(isStatus("CLOSED")),
      abnormalCount: countWhere(isStatus("ABNORMAL")),
      failedCount: countWhere(isStatus("FAILED")),
      p50SuccessSeconds: successSeconds(0.5),
      p90SuccessSeconds: successSeconds(0.9),
    })
    .from(refunds)
    .where(inRange(range, merchantId));
  return row!;
}

/** A share of the refunds that reached an outcome; null when none did (shown as "—", not 0%). */
export function outcomeRate(count: number, summary: Pick<RangeSummary, "finalCount">): number | null {
  return summary.finalCount === 0 ? null : count / summary.finalCount;
}

const IN_FLIGHT: RefundStatus[] = ["AWAITING_APPROVAL", "PENDING", "PROCESSING"];

export interface CurrentState {
  inFlightCount: number;
  inFlightFen: number;
  abnormalCount: number;
  failedCount: number;
  /** PENDING refunds whose last request got no answer: WeChat may or may not have them. */
  outcomeUnknownCount: number;
  /** PENDING refunds retrying after an error. */
  pendingWithErrorCount: number;
}

/** What is in flight and what needs someone now, whatever the range: open problems do not age out of view. */
export async function currentState(db: Db, merchantId: string): Promise<CurrentState> {
  const pending = isStatus("PENDING");
  const [row] = await db
    .select({
      inFlightCount: countWhere(inArray(refunds.status, IN_FLIGHT)),
      inFlightFen:
        sql<number>`coalesce(sum(${refunds.amountFen}) filter (where ${inArray(refunds.status, IN_FLIGHT)}), 0)`.mapWith(
          Number,
        ),
      abnormalCount: countWhere(isStatus("ABNORMAL")),
      failedCount: countWhere(isStatus("FAILED")),
      outcomeUnknownCount: countWhere(sql`${pending} and ${refunds.outcomeUnknown}`),
      pendingWithErrorCount: countWhere(sql`${pending} and ${refunds.lastErrorCode} is not null`),
    })
    .from(refunds)
    .where(and(eq(refunds.merchantId, merchantId), inArray(refunds.status, [...IN_FLIGHT, "ABNORMAL", "FAILED"])));
  return row!;
}

export interface DayPoint {
  /** Beijing day, `YYYY-MM-DD`. */
  day: string;
  refundedFen: number;
  refundedCount: number;
  /** Refunds requested that day, by their status now. */
  byStatus: Record<RefundStatus, number>;
}

const STATUSES: RefundStatus[] = [
  "SUCCESS",
  "PROCESSING",
  "PENDING",
  "AWAITING_APPROVAL",
  "CLOSED",
  "ABNORMAL",
  "FAILED",
  "REJECTED",
];

/** One point per Beijing day of the range, days without refunds included (as zeros). */
export async function dailySeries(db: Db, range: DashboardRange, merchantId: string): Promise<DayPoint[]> {
  const day = sql`date_trunc('day', ${refunds.createdAt}, 'Asia/Shanghai')`;
  const perStatus = STATUSES.map((s) => sql`count(*) filter (where ${isStatus(s)})::int as ${sql.identifier(s)}`);
  const rows = await db.execute<Record<string, string | number>>(sql`
    with per_day as (
      select ${day} as bucket,
        coalesce(sum(${refunds.amountFen}) filter (where ${isStatus("SUCCESS")}), 0)::text as refunded_fen,
        ${sql.join(perStatus, sql`, `)}
      from ${refunds}
      where ${inRange(range, merchantId)}
      group by 1
    )
    -- The days as Beijing wall-clock dates, so each step is a calendar day whatever the session's time zone.
    select to_char(d.local_day, 'YYYY-MM-DD') as day, per_day.*
    from generate_series(${range.from}::timestamp, ${range.to}::timestamp, interval '1 day') as d(local_day)
    left join per_day on per_day.bucket = d.local_day at time zone 'Asia/Shanghai'
    order by d.local_day`);
  return rows.map((row) => {
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, Number(row[s] ?? 0)])) as Record<RefundStatus, number>;
    return {
      day: String(row.day),
      refundedFen: Number(row.refunded_fen ?? 0),
      refundedCount: byStatus.SUCCESS,
      byStatus,
    };
  });
}
