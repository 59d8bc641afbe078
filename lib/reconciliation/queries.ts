import { and, asc, desc, eq, exists, getTableColumns, gte, inArray, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  billDays,
  billLines,
  merchants,
  reconciliationMismatches,
  refunds,
  type BillDay,
  type BillLine,
  type ReconciliationMismatch,
  type RefundStatus,
} from "../db/schema";
import { billDayBounds } from "./bill-date";

export interface BillDayRow extends BillDay {
  merchantName: string;
  openMismatches: number;
}

const openCountSql = sql<number>`(select count(*)::int from ${reconciliationMismatches} m where m.bill_day_id = ${billDays.id} and m.status = 'OPEN')`;

/** The newest bill days of every merchant, with how many mismatches each still has open. */
export async function listBillDays(db: Db, merchantId: string, limit = 60): Promise<BillDayRow[]> {
  return db
    .select({ ...getTableColumns(billDays), merchantName: merchants.displayName, openMismatches: openCountSql })
    .from(billDays)
    .innerJoin(merchants, eq(merchants.id, billDays.merchantId))
    .where(eq(billDays.merchantId, merchantId))
    .orderBy(desc(billDays.billDate))
    .limit(limit);
}

export async function getBillDay(db: Db, merchantId: string, id: number): Promise<BillDayRow | undefined> {
  const [row] = await db
    .select({ ...getTableColumns(billDays), merchantName: merchants.displayName, openMismatches: openCountSql })
    .from(billDays)
    .innerJoin(merchants, eq(merchants.id, billDays.merchantId))
    .where(and(eq(billDays.id, id), eq(billDays.merchantId, merchantId)));
  return row;
}

export interface MismatchRow extends ReconciliationMismatch {
  billDate: string;
  merchantName: string;
  resolvedByEmail: string | null;
}

/** The merchant's mismatch queue: open ones first (oldest day first), then resolved ones; optionally of one day. */
export async function listMismatches(
  db: Db,
  merchantId: string,
  options: { billDayId?: number; openOnly?: boolean; limit?: number } = {},
): Promise<MismatchRow[]> {
  const conditions = [
    eq(reconciliationMismatches.merchantId, merchantId),
    options.billDayId === undefined ? undefined : eq(reconciliationMismatches.billDayId, options.billDayId),
    options.openOnly ? eq(reconciliationMismatches.status, "OPEN") : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select({
      mismatch: reconciliationMismatches,
      billDate: billDays.billDate,
      merchantName: merchants.displayName,
      resolvedByEmail: sql<
        string | null
      >`(select email from users u where u.id = ${reconciliationMismatches.resolvedBy})`,
    })
    .from(reconciliationMismatches)
    .innerJoin(billDays, eq(billDays.id, reconciliationMismatches.billDayId))
    .innerJoin(merchants, eq(merchants.id, reconciliationMismatches.merchantId))
    .where(and(...conditions))
    .orderBy(
      desc(sql`${reconciliationMismatches.status} = 'OPEN'`),
      asc(billDays.billDate),
      asc(reconciliationMismatches.id),
    )
    .limit(options.limit ?? 200);
  return rows.map((r) => ({
    ...r.mismatch,
    billDate: r.billDate,
    merchantName: r.merchantName,
    resolvedByEmail: r.resolvedByEmail,
  }));
}

/** The lines of the merchant's bill day `billDayId`, in file order. */
export async function listBillLines(db: Db, merchantId: string, billDayId: number): Promise<BillLine[]> {
  const ofMerchant = db
    .select({ id: billDays.id })
    .from(billDays)
    .where(and(eq(billDays.id, billDayId), eq(billDays.merchantId, merchantId)));
  return db
    .select()
    .from(billLines)
    .where(and(eq(billLines.billDayId, billDayId), exists(ofMerchant)))
    .orderBy(asc(billLines.lineNo));
}

/** Days whose bill was missing or unusable and whose next automatic attempt is due. */
export async function dueBillDays(db: Db, now: Date): Promise<{ merchantId: string; billDate: string }[]> {
  return db
    .select({ merchantId: billDays.merchantId, billDate: billDays.billDate })
    .from(billDays)
    .where(
      and(
        inArray(billDays.status, ["PENDING", "MISSING", "ERROR"]),
        isNotNull(billDays.nextAttemptAt),
        lte(billDays.nextAttemptAt, now),
      ),
    );
}

/** Refunds a bill can still speak of: on their way at WeChat (or about to be), or not yet paid back the original way. */
const FOLLOWED: RefundStatus[] = ["PENDING", "PROCESSING", "ABNORMAL"];

/**
 * The merchants whose bill of `billDate` is fetched: every active one, and a disabled one while the bill can concern
 * its refunds — one succeeded that day, or one is still being followed. Disabling a merchant stops new refunds, not
 * the checking of those it already has (a refund recorded before may even be sent after; see `submitRefund`).
 */
export async function billMerchantIds(db: Db, billDate: string): Promise<string[]> {
  const { from, to } = billDayBounds(billDate);
  const concerned = db
    .select({ one: sql`1` })
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, merchants.id),
        or(
          inArray(refunds.status, FOLLOWED),
          and(eq(refunds.status, "SUCCESS"), gte(refunds.finishedAt, from), lt(refunds.finishedAt, to)),
        ),
      ),
    );
  const rows = await db
    .select({ id: merchants.id })
    .from(merchants)
    .where(or(eq(merchants.active, true), exists(concerned)));
  return rows.map((r) => r.id);
}

/** Whether a merchant's day has been reconciled (or tried) already. */
export async function hasBillDay(db: Db, merchantId: string, billDate: string): Promise<boolean> {
  const [row] = await db
    .select({ id: billDays.id })
    .from(billDays)
    .where(and(eq(billDays.merchantId, merchantId), eq(billDays.billDate, billDate)));
  return row !== undefined;
}
