import { and, asc, desc, eq, exists, inArray, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../db/client";
import {
  bulkBatches,
  bulkRows,
  merchants,
  refunds,
  users,
  type BulkBatch,
  type BulkRowStatus,
  type RefundStatus,
} from "../db/schema";

const uploader = alias(users, "uploader");
const decider = alias(users, "decider");

/** Batch `batchId` when it is this merchant's: the condition every query of a batch's lines starts from. */
const batchOf = (merchantId: string, batchId: number) =>
  and(eq(bulkBatches.id, batchId), eq(bulkBatches.merchantId, merchantId));

/** The lines of batch `batchId` when the batch is this merchant's (one index probe on the batch's primary key). */
const linesOf = (db: Db, merchantId: string, batchId: number) =>
  and(
    eq(bulkRows.batchId, batchId),
    exists(db.select({ id: bulkBatches.id }).from(bulkBatches).where(batchOf(merchantId, batchId))),
  );

/** A batch of this merchant with the names a page shows. */
export async function getBatch(db: Db, merchantId: string, batchId: number) {
  const [row] = await db
    .select({
      batch: bulkBatches,
      merchantName: merchants.displayName,
      mchid: merchants.mchid,
      approvalThresholdFen: merchants.approvalThresholdFen,
      uploaderName: uploader.name,
      uploaderEmail: uploader.email,
      deciderName: decider.name,
    })
    .from(bulkBatches)
    .innerJoin(merchants, eq(merchants.id, bulkBatches.merchantId))
    .leftJoin(uploader, eq(uploader.id, bulkBatches.createdBy))
    .leftJoin(decider, eq(decider.id, bulkBatches.decidedBy))
    .where(batchOf(merchantId, batchId));
  return row;
}
export type BatchView = NonNullable<Awaited<ReturnType<typeof getBatch>>>;

export type RowCounts = Record<BulkRowStatus, number>;

async function rowCounts(db: Db, batchIds: number[]): Promise<Map<number, RowCounts>> {
  const counts = new Map<number, RowCounts>();
  if (batchIds.length === 0) return counts;
  const rows = await db
    .select({ batchId: bulkRows.batchId, status: bulkRows.status, n: sql<number>`count(*)::int` })
    .from(bulkRows)
    .where(inArray(bulkRows.batchId, batchIds))
    .groupBy(bulkRows.batchId, bulkRows.status);
  for (const r of rows) {
    const c = counts.get(r.batchId) ?? { INVALID: 0, READY: 0, REQUESTED: 0, FAILED: 0, SKIPPED: 0 };
    c[r.status] = r.n;
    counts.set(r.batchId, c);
  }
  return counts;
}

const PAGE = 25;

/** The merchant's recent batches, newest first, with their row counts; `before` is the previous page's last id. */
export async function listBatches(db: Db, merchantId: string, before?: number) {
  const rows = await db
    .select({ batch: bulkBatches, merchantName: merchants.displayName, uploaderName: uploader.name })
    .from(bulkBatches)
    .innerJoin(merchants, eq(merchants.id, bulkBatches.merchantId))
    .leftJoin(uploader, eq(uploader.id, bulkBatches.createdBy))
    .where(and(eq(bulkBatches.merchantId, merchantId), before ? lt(bulkBatches.id, before) : undefined))
    .orderBy(desc(bulkBatches.id))
    .limit(PAGE + 1);
  const page = rows.slice(0, PAGE);
  const counts = await rowCounts(
    db,
    page.map((r) => r.batch.id),
  );
  return {
    rows: page.map((r) => ({ ...r, counts: counts.get(r.batch.id)! })),
    nextCursor: rows.length > PAGE ? String(page.at(-1)!.batch.id) : null,
  };
}
export type BatchListRow = Awaited<ReturnType<typeof listBatches>>["rows"][number];

const ROW_PAGE = 50;
/** Lines that need the reader first: refused by the preview, then failed at their turn, then in file order. */
const ROW_ORDER = sql`case ${bulkRows.status} when 'INVALID' then 0 when 'FAILED' then 1 else 2 end`;

/** A batch's lines, each with the refund it became. */
function linesWithRefunds(db: Db, merchantId: string, batchId: number) {
  return db
    .select({
      row: bulkRows,
      refundStatus: refunds.status,
      refundErrorCode: refunds.lastErrorCode,
      refundErrorMessage: refunds.lastErrorMessage,
    })
    .from(bulkRows)
    .leftJoin(refunds, eq(refunds.id, bulkRows.refundId))
    .where(linesOf(db, merchantId, batchId))
    .$dynamic();
}

/** One page of a batch's lines, bad ones first, with the refund each became. */
export async function listBatchRows(db: Db, merchantId: string, batchId: number, page: number) {
  const rows = await linesWithRefunds(db, merchantId, batchId)
    .orderBy(ROW_ORDER, asc(bulkRows.lineNo))
    .limit(ROW_PAGE + 1)
    .offset(page * ROW_PAGE);
  return { rows: rows.slice(0, ROW_PAGE), hasMore: rows.length > ROW_PAGE };
}
export type BatchRowView = Awaited<ReturnType<typeof listBatchRows>>["rows"][number];

/** Every line in file order, for the results file. */
export async function allBatchRows(db: Db, merchantId: string, batchId: number): Promise<BatchRowView[]> {
  return linesWithRefunds(db, merchantId, batchId).orderBy(asc(bulkRows.lineNo));
}

export interface BatchProgress {
  status: BulkBatch["status"];
  counts: RowCounts;
  /** The refunds the rows became, by status. */
  refunds: Partial<Record<RefundStatus, number>>;
  /** Over the last few seconds. */
  rowsPerSecond: number;
  submissionsPerSecond: number;
  /** Seconds until every READY row has had its turn at the current pace; null when not moving. */
  etaSeconds: number | null;
  /** Changes whenever anything on the batch page would. */
  version: string;
  /** While something can still change without a person acting. */
  active: boolean;
}

const RATE_WINDOW_S = 5;

/** The batch page's live numbers: cheap aggregates over the batch's rows and their refunds. */
export async function batchProgress(
  db: Db,
  merchantId: string,
  batchId: number,
  now = new Date(),
): Promise<BatchProgress | null> {
  const [batch] = await db.select({ status: bulkBatches.status }).from(bulkBatches).where(batchOf(merchantId, batchId));
  if (!batch) return null;
  const counts = (await rowCounts(db, [batchId])).get(batchId) ?? {
    INVALID: 0,
    READY: 0,
    REQUESTED: 0,
    FAILED: 0,
    SKIPPED: 0,
  };
  // Raw SQL gets no column encoder: the instant goes in as text.
  const since = sql`${new Date(now.getTime() - RATE_WINDOW_S * 1000).toISOString()}::timestamptz`;
  const [rates] = await db
    .select({
      rows: sql<number>`count(*) filter (where ${bulkRows.processedAt} > ${since})::int`,
      submissions: sql<number>`count(*) filter (where ${refunds.submittedAt} > ${since})::int`,
      lastChange: sql<string | null>`greatest(max(${bulkRows.processedAt}), max(${refunds.updatedAt}))::text`,
    })
    .from(bulkRows)
    .leftJoin(refunds, eq(refunds.id, bulkRows.refundId))
    .where(eq(bulkRows.batchId, batchId));
  const byStatus = await db
    .select({ status: refunds.status, n: sql<number>`count(*)::int` })
    .from(bulkRows)
    .innerJoin(refunds, eq(refunds.id, bulkRows.refundId))
    .where(eq(bulkRows.batchId, batchId))
    .groupBy(refunds.status);
  const refundCounts = Object.fromEntries(byStatus.map((r) => [r.status, r.n]));
  const rowsPerSecond = (rates?.rows ?? 0) / RATE_WINDOW_S;
  const settling = (refundCounts.PENDING ?? 0) + (refundCounts.PROCESSING ?? 0) > 0;
  return {
    status: batch.status,
    counts,
    refunds: refundCounts,
    rowsPerSecond,
    submissionsPerSecond: (rates?.submissions ?? 0) / RATE_WINDOW_S,
    etaSeconds: batch.status === "RUNNING" && rowsPerSecond > 0 ? Math.ceil(counts.READY / rowsPerSecond) : null,
    version: [
      batch.status,
      counts.READY,
      counts.REQUESTED,
      counts.FAILED,
      counts.SKIPPED,
      rates?.lastChange ?? "",
    ].join(":"),
    active: batch.status === "RUNNING" || settling,
  };
}
