import { and, asc, eq, gt, isNotNull, notInArray, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client";
import { bulkBatches, bulkRows, refunds, users, type BulkBatch, type BulkRow, type Refund } from "../db/schema";
import { log } from "../log";
import { requestRefund, type RequestContext } from "../refunds/request";
import { claimFeedSlots, perWindow, unsentBacklog, type FeedLimits } from "./feed";
import { completeBatch } from "./lifecycle";
import type { Message } from "../message";

export interface RunSettings extends FeedLimits {
  /** WeChat's interval between refunds of one order; refunds of one payer are spaced as far apart. */
  orderIntervalMs: number;
  /** How long one job keeps running before it hands over to a fresh job. */
  sliceMs: number;
}

/** `continue`: the slice ended with rows left; the caller queues the next run. */
export type RunOutcome = { kind: "stopped" | "completed" | "continue" };

/** Queues the submissions of a window's recorded refunds (one statement for all of them). */
export type Enqueue = (refunds: Pick<Refund, "id" | "merchantId" | "scheduledAt">[]) => Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Rows recorded at the same time; each is its own short transaction on its own order. */
const PARALLEL_ROWS = 8;

/** A payer without an openid is only known by the order. */
const payerKey = sql<string>`coalesce(${bulkRows.payerOpenid}, 'order:' || ${bulkRows.orderId}::text)`;
const keyOf = (row: Pick<BulkRow, "payerOpenid" | "orderId">) => row.payerOpenid ?? `order:${row.orderId}`;

/** When each payer of the batch may next be refunded (refunds of this batch in the last two intervals). */
async function loadPayerSlots(db: Db, batchId: number, intervalMs: number): Promise<Map<string, number>> {
  const since = new Date(Date.now() - 2 * intervalMs);
  const rows = await db
    .select({ key: payerKey, last: sql<string>`max(coalesce(${refunds.scheduledAt}, ${bulkRows.processedAt}))` })
    .from(bulkRows)
    .innerJoin(refunds, eq(refunds.id, bulkRows.refundId))
    .where(and(eq(bulkRows.batchId, batchId), eq(bulkRows.status, "REQUESTED"), gt(bulkRows.processedAt, since)))
    .groupBy(payerKey);
  return new Map(rows.map((r) => [r.key, new Date(r.last).getTime() + intervalMs]));
}

async function requestContext(db: Db, batch: BulkBatch, intervalMs: number): Promise<RequestContext> {
  const [uploader] = batch.createdBy
    ? await db.select({ email: users.email }).from(users).where(eq(users.id, batch.createdBy))
    : [];
  return {
    actor: { id: batch.createdBy, label: `${uploader?.email ?? "system"} (bulk #${batch.id})` },
    userId: batch.createdBy,
    orderIntervalMs: intervalMs,
    // Approved as a whole: each refund carries that approval instead of waiting for its own.
    ...(batch.decidedBy ? { preApproved: { by: batch.decidedBy } } : {}),
  };
}

type RowOutcome =
  | { row: BulkRow; status: "REQUESTED"; refund: Refund }
  | { row: BulkRow; status: "FAILED"; code: string; message: Message };

/**
 * Record one row's refund under its pre-assigned out_refund_no. If that number already exists, an earlier run
 * recorded it and stopped before marking the row: the row is linked to that refund, never given a second one.
 */
async function recordRow(db: Database, merchantId: string, row: BulkRow, context: RequestContext): Promise<RowOutcome> {
  const { orderId, amountFen, reason, outRefundNo } = row;
  const input = { merchantId, orderId: orderId!, amountFen: amountFen!, reason, outRefundNo: outRefundNo! };
  const result = await requestRefund(db, input, context);
  if (result.ok) return { row, status: "REQUESTED", refund: result.value };
  if (result.error.code === "DUPLICATE_OUT_REFUND_NO") {
    const [existing] = await db
      .select()
      .from(refunds)
      .where(and(eq(refunds.merchantId, merchantId), eq(refunds.outRefundNo, row.outRefundNo!)));
    if (existing && existing.orderId === row.orderId && existing.amountFen === row.amountFen)
      return { row, status: "REQUESTED", refund: existing };
  }
  return { row, status: "FAILED", code: result.error.code, message: result.error.message };
}

async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Record a handful of rows while holding the batch row in share mode, so that a pause or cancel (which locks it for
 * update) waits for these rows and then stops the next ones: no row is skipped after its refund was recorded.
 * Returns the recorded refunds to enqueue, or null when the batch is no longer RUNNING.
 */
async function processRows(
  db: Database,
  batchId: number,
  rows: BulkRow[],
  context: RequestContext,
): Promise<RowOutcome[] | null> {
  return db.transaction(async (tx) => {
    const [batch] = await tx
      .select({ status: bulkBatches.status, merchantId: bulkBatches.merchantId })
      .from(bulkBatches)
      .where(eq(bulkBatches.id, batchId))
      .for("share");
    if (batch?.status !== "RUNNING") return null;
    const outcomes = await inParallel(rows, PARALLEL_ROWS, (row) => recordRow(db, batch.merchantId, row, context));
    // One statement for the handful of rows, as JSON records.
    const marks = outcomes.map((o) =>
      o.status === "REQUESTED"
        ? { id: o.row.id, status: o.status, refund_id: o.refund.id, code: null, message: null }
        : { id: o.row.id, status: o.status, refund_id: null, code: o.code, message: o.message },
    );
    await tx.execute(sql`
      update bulk_rows r
      set status = m.status, refund_id = m.refund_id, error_code = m.code, error_message = m.message, processed_at = ${new Date().toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(marks)}::jsonb) as m(id bigint, status bulk_row_status, refund_id bigint, code text, message jsonb)
      where r.id = m.id and r.status = 'READY'`);
    return outcomes;
  });
}

/** READY rows in file order whose payer is free, one per payer. */
async function nextRows(db: Db, batchId: number, busy: string[], limit: number): Promise<BulkRow[]> {
  const rows = await db
    .select()
    .from(bulkRows)
    .where(
      and(
        eq(bulkRows.batchId, batchId),
        eq(bulkRows.status, "READY"),
        isNotNull(bulkRows.outRefundNo),
        busy.length ? notInArray(payerKey, busy) : undefined,
      ),
    )
    .orderBy(asc(bulkRows.lineNo))
    .limit(limit * 4);
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(keyOf(r)) && seen.add(keyOf(r))).slice(0, limit);
}

async function hasReadyRows(db: Db, batchId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: bulkRows.id })
    .from(bulkRows)
    .where(and(eq(bulkRows.batchId, batchId), eq(bulkRows.status, "READY")))
    .limit(1);
  return Boolean(row);
}

/**
 * Work through a RUNNING batch for up to `sliceMs`: each window, take the next READY rows (file order, payers spaced
 * by the order interval), within the merchant's feeding rate and only while the submission queue keeps up; record
 * each refund, mark its row, and hand PENDING refunds to the submission queue. All state is in the database, so a
 * run that dies is simply started again.
 */
export async function runBatch(
  db: Database,
  batchId: number,
  settings: RunSettings,
  enqueue: Enqueue,
): Promise<RunOutcome> {
  const startedAt = Date.now();
  const [batch] = await db.select().from(bulkBatches).where(eq(bulkBatches.id, batchId));
  if (batch?.status !== "RUNNING") return { kind: "stopped" };
  const context = await requestContext(db, batch, settings.orderIntervalMs);
  const payerNext = await loadPayerSlots(db, batchId, settings.orderIntervalMs);
  const windowRows = perWindow(settings);
  // Rows this run may feed now: a window's worth for every window that passed, so a window whose rows took longer
  // than the window to record is made up by the next ones (at most two windows' worth at once).
  let owed = 0;
  let lastWindow = startedAt - settings.windowMs;

  while (Date.now() - startedAt < settings.sliceMs) {
    const windowStart = Date.now();
    owed = Math.min(2 * windowRows, owed + (windowRows * (windowStart - lastWindow)) / settings.windowMs);
    lastWindow = windowStart;
    for (const [key, at] of payerNext) if (at <= windowStart) payerNext.delete(key);

    const backlog = await unsentBacklog(db, batch.merchantId);
    const candidates =
      backlog > settings.rowsPerSecond ? [] : await nextRows(db, batchId, [...payerNext.keys()], Math.floor(owed));
    const granted = await claimFeedSlots(db, batch.merchantId, candidates.length, settings);
    owed -= granted;
    if (candidates.length === 0) {
      if (!(await hasReadyRows(db, batchId))) {
        const completed = await completeBatch(db, batchId);
        return completed.ok ? { kind: "completed" } : { kind: "stopped" };
      }
      const [current] = await db
        .select({ status: bulkBatches.status })
        .from(bulkBatches)
        .where(eq(bulkBatches.id, batchId));
      if (current?.status !== "RUNNING") return { kind: "stopped" };
    }
    if (granted > 0) {
      const outcomes = await processRows(db, batchId, candidates.slice(0, granted), context);
      if (!outcomes) return { kind: "stopped" };
      const toSend: Refund[] = [];
      for (const o of outcomes) {
        if (o.status !== "REQUESTED") continue;
        const due = (o.refund.scheduledAt ?? new Date()).getTime();
        payerNext.set(keyOf(o.row), Math.max(payerNext.get(keyOf(o.row)) ?? 0, due + settings.orderIntervalMs));
        if (o.refund.status === "PENDING") toSend.push(o.refund);
      }
      // Together, not one after another: a window's 30 sends in a row took longer than the window itself.
      await enqueue(toSend);
    }
    await sleep(windowStart + settings.windowMs - Date.now());
  }
  log.debug({ batchId }, "bulk run slice ended");
  return { kind: "continue" };
}
