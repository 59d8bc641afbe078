import { and, desc, eq, inArray, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  merchants,
  orderBackfills,
  orderFileImports,
  orderImportDays,
  type OrderBackfill,
  type OrderFileImport,
  type OrderImportDay,
} from "../db/schema";

/** Merchants whose payments are imported every morning: the active ones. */
export async function importMerchantIds(db: Db): Promise<string[]> {
  const rows = await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.active, true));
  return rows.map((r) => r.id);
}

/** Days whose bill was missing or unusable and whose next attempt is due. */
export async function dueImportDays(db: Db, now: Date): Promise<{ merchantId: string; billDate: string }[]> {
  return db
    .select({ merchantId: orderImportDays.merchantId, billDate: orderImportDays.billDate })
    .from(orderImportDays)
    .where(and(inArray(orderImportDays.status, ["MISSING", "ERROR"]), lte(orderImportDays.nextAttemptAt, now)))
    .limit(500);
}

/** Whether a merchant's day has been imported (or tried) already. */
export async function hasImportDay(db: Db, merchantId: string, billDate: string): Promise<boolean> {
  const [row] = await db
    .select({ id: orderImportDays.id })
    .from(orderImportDays)
    .where(and(eq(orderImportDays.merchantId, merchantId), eq(orderImportDays.billDate, billDate)));
  return row !== undefined;
}

/** A merchant's backfill by id; another merchant's is not found. */
export async function findBackfill(db: Db, merchantId: string, id: number): Promise<OrderBackfill | undefined> {
  const [row] = await db
    .select()
    .from(orderBackfills)
    .where(and(eq(orderBackfills.merchantId, merchantId), eq(orderBackfills.id, id)));
  return row;
}

/** A merchant's most recent backfills, newest first, for the page. */
export async function recentBackfills(db: Db, merchantId: string, limit = 10): Promise<OrderBackfill[]> {
  return db
    .select()
    .from(orderBackfills)
    .where(eq(orderBackfills.merchantId, merchantId))
    .orderBy(desc(orderBackfills.createdAt), desc(orderBackfills.id))
    .limit(limit);
}

/** A merchant's orders file import by id; another merchant's is not found. */
export async function findOrderFileImport(
  db: Db,
  merchantId: string,
  id: number,
): Promise<OrderFileImport | undefined> {
  const [row] = await db
    .select()
    .from(orderFileImports)
    .where(and(eq(orderFileImports.merchantId, merchantId), eq(orderFileImports.id, id)));
  return row;
}

/** A merchant's most recent file imports, newest first, for the page. */
export async function recentOrderFileImports(db: Db, merchantId: string, limit = 10): Promise<OrderFileImport[]> {
  return db
    .select()
    .from(orderFileImports)
    .where(eq(orderFileImports.merchantId, merchantId))
    .orderBy(desc(orderFileImports.createdAt), desc(orderFileImports.id))
    .limit(limit);
}

/** A merchant's most recent bill days (daily and backfilled), newest day first: how each import went. */
export async function recentImportDays(db: Db, merchantId: string, limit = 14): Promise<OrderImportDay[]> {
  return db
    .select()
    .from(orderImportDays)
    .where(eq(orderImportDays.merchantId, merchantId))
    .orderBy(desc(orderImportDays.billDate))
    .limit(limit);
}
