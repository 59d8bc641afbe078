/**
 * Backfill: an operator imports the ALL bills of a range of past days. The request is a row (days total, done,
 * failed, orders imported) that one job works through day by day, updating the row after each day so the page shows
 * progress; a job that is interrupted and retried goes on from the first day not done.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { orderBackfills, type OrderBackfill } from "../db/schema";
import { appendAudit, type AuditActor } from "../audit/append";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { isPastBillDate } from "../reconciliation/bill-date";
import type { TradeBillSourceResolver } from "../reconciliation/bill-source";
import { importTradeBillDay } from "./bill-import";

/** WeChat keeps trade bills for three months; a longer range cannot be served. */
export const MAX_BACKFILL_DAYS = 92;

const DAY_MS = 86_400_000;

export function addDays(billDate: string, days: number): string {
  return new Date(Date.parse(`${billDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export interface BackfillError {
  code: string;
  message: Message;
  field?: "fromDate" | "toDate";
}

const refuse = (code: string, message: Message, field?: BackfillError["field"]) =>
  err<BackfillError>({ code, message, field });

/** Checks the range (past days, in order, at most three months) and records the backfill, with an audit row. */
export async function requestBackfill(
  db: Database,
  input: { merchantId: string; fromDate: string; toDate: string; actor: AuditActor; now?: Date },
): Promise<Result<OrderBackfill, BackfillError>> {
  const now = input.now ?? new Date();
  const { merchantId, fromDate, toDate, actor } = input;
  if (!isPastBillDate(fromDate, now))
    return refuse("BACKFILL_DATE", msg("outcomes.ordersImport.backfill.FROM_DATE_NOT_PAST"), "fromDate");
  if (!isPastBillDate(toDate, now))
    return refuse("BACKFILL_DATE", msg("outcomes.ordersImport.backfill.TO_DATE_NOT_PAST"), "toDate");
  if (toDate < fromDate)
    return refuse("BACKFILL_ORDER", msg("outcomes.ordersImport.backfill.BACKFILL_ORDER"), "toDate");
  const days = daysBetween(fromDate, toDate);
  if (days > MAX_BACKFILL_DAYS)
    return refuse(
      "BACKFILL_TOO_LONG",
      msg("outcomes.ordersImport.backfill.BACKFILL_TOO_LONG", { max: MAX_BACKFILL_DAYS }),
      "fromDate",
    );
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(orderBackfills)
      .values({ merchantId, fromDate, toDate, daysTotal: days, requestedBy: actor.id })
      .returning();
    await appendAudit(
      tx,
      actor,
      "orders.backfill_requested",
      { type: "order_backfill", id: row!.id, merchantId },
      { fromDate, toDate, days },
    );
    return ok(row!);
  });
}

/** Works through a backfill's remaining days in order; safe to call again after an interruption. */
export async function runBackfill(
  db: Database,
  resolveSource: TradeBillSourceResolver,
  backfillId: number,
  actor: AuditActor,
): Promise<OrderBackfill | undefined> {
  const [start] = await db
    .update(orderBackfills)
    .set({ status: "RUNNING", updatedAt: new Date() })
    .where(eq(orderBackfills.id, backfillId))
    .returning();
  if (!start) return undefined;
  let current = start;
  while (current.daysDone < current.daysTotal) {
    const billDate = addDays(current.fromDate, current.daysDone);
    const outcome = await importTradeBillDay(db, resolveSource, { merchantId: current.merchantId, billDate, actor });
    const failed = outcome.day.status === "IMPORTED" ? 0 : 1;
    [current] = (await db
      .update(orderBackfills)
      .set({
        daysDone: sql`${orderBackfills.daysDone} + 1`,
        daysFailed: sql`${orderBackfills.daysFailed} + ${failed}`,
        rowsImported: sql`${orderBackfills.rowsImported} + ${outcome.imported}`,
        updatedAt: new Date(),
      })
      .where(eq(orderBackfills.id, backfillId))
      .returning()) as [OrderBackfill];
  }
  const [done] = await db
    .update(orderBackfills)
    .set({ status: "DONE", finishedAt: new Date(), updatedAt: new Date() })
    .where(eq(orderBackfills.id, backfillId))
    .returning();
  return done;
}
