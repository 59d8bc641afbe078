import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Database, Db, Transaction } from "../db/client";
import { billDays, billLines, reconciliationMismatches, refunds, type BillDay, type BillDayStatus } from "../db/schema";
import { appendAudit, type AuditActor } from "../audit/append";
import type { WechatPayError } from "../wechatpay/errors";
import { billDayBounds } from "./bill-date";
import { MISSING_BILL_CODES, type BillSourceResolver, type FetchedBill } from "./bill-source";
import { compareBill, consoleTotals, type ConsoleRefund } from "./compare";
import { recordExternalRefundsFromBill } from "./external-refunds";
import { mismatchFound } from "../webhooks/business-events";

/** A missing or unusable bill is fetched again after 1, 2, 4, then every 6 hours; after this many tries, by hand only. */
const RETRY_HOURS = [1, 2, 4, 6];
export const MAX_AUTOMATIC_ATTEMPTS = 8;

export function nextAttemptAfter(attempts: number, now: Date): Date | null {
  if (attempts >= MAX_AUTOMATIC_ATTEMPTS) return null;
  const hours = RETRY_HOURS[Math.min(attempts, RETRY_HOURS.length) - 1] ?? 6;
  return new Date(now.getTime() + hours * 3_600_000);
}

export interface RunRequest {
  merchantId: string;
  billDate: string;
  actor: AuditActor;
  now?: Date;
}

export interface RunOutcome {
  day: BillDay;
  /** Mismatches this run found for the first time. */
  opened: number;
  /** Mismatches still open after this run. */
  open: number;
}

const CONSOLE_REFUND_COLUMNS = {
  id: refunds.id,
  outRefundNo: refunds.outRefundNo,
  status: refunds.status,
  amountFen: refunds.amountFen,
  finishedAt: refunds.finishedAt,
};

/** The console's refunds that succeeded on a Beijing day. */
export async function succeededOn(db: Db, merchantId: string, billDate: string): Promise<ConsoleRefund[]> {
  const { from, to } = billDayBounds(billDate);
  return db
    .select(CONSOLE_REFUND_COLUMNS)
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, merchantId),
        eq(refunds.status, "SUCCESS"),
        gte(refunds.finishedAt, from),
        lt(refunds.finishedAt, to),
      ),
    );
}

async function ensureDay(db: Db, merchantId: string, billDate: string): Promise<void> {
  await db.insert(billDays).values({ merchantId, billDate }).onConflictDoNothing();
}

/**
 * Downloads a merchant's refund bill of a day and compares it with the console. The download happens before the
 * transaction; the transaction locks the day (a re-run and the daily job never interleave), replaces its lines,
 * records new mismatches, closes those a re-run no longer finds, sets the day's status and writes the audit row.
 */
export async function runReconciliation(
  db: Database,
  resolveSource: BillSourceResolver,
  request: RunRequest,
): Promise<RunOutcome> {
  const { merchantId, billDate, actor } = request;
  const now = request.now ?? new Date();
  await ensureDay(db, merchantId, billDate);
  const source = await resolveSource(merchantId);
  const fetched = source.ok ? await source.value.refundBill(billDate) : source;

  return db.transaction(async (tx) => {
    const [day] = await tx
      .select()
      .from(billDays)
      .where(and(eq(billDays.merchantId, merchantId), eq(billDays.billDate, billDate)))
      .for("update");
    if (!day) throw new Error(`bill day ${merchantId}/${billDate} vanished`);
    const attempts = day.attempts + 1;
    const expected = await succeededOn(tx, merchantId, billDate);
    let outcome: RunOutcome;
    if (fetched.ok) {
      outcome = await recordBill(tx, day, fetched.value, expected, now, attempts);
    } else if (fetched.error.code === "NO_STATEMENT_EXIST" && expected.length === 0) {
      // No bill and nothing the console expects in one: a day without refunds, which reconciles as it is.
      outcome = await recordBill(tx, day, { bill: { lines: [], totals: EMPTY_TOTALS } }, expected, now, attempts);
    } else {
      outcome = await recordFailure(tx, day, fetched.error, expected, now, attempts);
    }
    await appendAudit(
      tx,
      actor,
      "reconciliation.run",
      { type: "bill_day", id: day.id, merchantId: day.merchantId },
      {
        merchantId,
        billDate,
        before: { status: day.status },
        after: { status: outcome.day.status },
        lineCount: outcome.day.lineCount,
        opened: outcome.opened,
        open: outcome.open,
        errorCode: outcome.day.lastErrorCode,
      },
    );
    return outcome;
  });
}

const EMPTY_TOTALS = { lineCount: 0, settlementRefundFen: 0, couponRefundFen: 0, refundFen: 0, feeFen: 0 };

async function recordFailure(
  tx: Transaction,
  day: BillDay,
  error: WechatPayError,
  expected: ConsoleRefund[],
  now: Date,
  attempts: number,
): Promise<RunOutcome> {
  const status: BillDayStatus = MISSING_BILL_CODES.includes(error.code) ? "MISSING" : "ERROR";
  const [updated] = await tx
    .update(billDays)
    .set({
      status,
      attempts,
      nextAttemptAt: nextAttemptAfter(attempts, now),
      consoleTotals: consoleTotals(expected),
      lastErrorCode: error.code,
      lastErrorMessage: error.detail.slice(0, 500),
      updatedAt: now,
    })
    .where(eq(billDays.id, day.id))
    .returning();
  return { day: updated!, opened: 0, open: await openCount(tx, day.id) };
}

async function recordBill(
  tx: Transaction,
  day: BillDay,
  fetched: FetchedBill,
  expected: ConsoleRefund[],
  now: Date,
  attempts: number,
): Promise<RunOutcome> {
  const { lines, totals } = fetched.bill;
  await tx.delete(billLines).where(eq(billLines.billDayId, day.id));
  if (lines.length > 0) {
    await tx.insert(billLines).values(
      lines.map((l) => ({
        billDayId: day.id,
        lineNo: l.lineNo,
        outTradeNo: l.outTradeNo,
        transactionId: l.transactionId,
        outRefundNo: l.outRefundNo,
        wechatRefundId: l.refundId,
        refundFen: l.refundFen,
        couponRefundFen: l.couponRefundFen,
        settlementRefundFen: l.settlementRefundFen,
        refundStatus: l.refundStatus,
        raw: l.raw,
      })),
    );
  }
  await recordExternalRefundsFromBill(tx, day.merchantId, lines, now);
  const numbers = lines.map((l) => l.outRefundNo);
  const known = numbers.length
    ? await tx
        .select(CONSOLE_REFUND_COLUMNS)
        .from(refunds)
        .where(and(eq(refunds.merchantId, day.merchantId), inArray(refunds.outRefundNo, numbers)))
    : [];
  const detected = compareBill(lines, known, expected);

  let opened = 0;
  for (const m of detected) {
    const [row] = await tx
      .insert(reconciliationMismatches)
      .values({ billDayId: day.id, merchantId: day.merchantId, ...m })
      .onConflictDoUpdate({
        target: [
          reconciliationMismatches.billDayId,
          reconciliationMismatches.outRefundNo,
          reconciliationMismatches.kind,
        ],
        set: { consoleValue: m.consoleValue, billValue: m.billValue },
        setWhere: eq(reconciliationMismatches.status, "OPEN"),
      })
      .returning({ inserted: sql<boolean>`xmax = 0` });
    if (row?.inserted) {
      opened += 1;
      await mismatchFound(tx, day, m, now);
    }
  }
  // Open mismatches this bill no longer shows (WeChat corrected its bill, or a callback arrived) are settled by the re-run.
  const stillThere = new Set(detected.map((m) => `${m.outRefundNo}/${m.kind}`));
  const open = await tx
    .select({
      id: reconciliationMismatches.id,
      outRefundNo: reconciliationMismatches.outRefundNo,
      kind: reconciliationMismatches.kind,
    })
    .from(reconciliationMismatches)
    .where(and(eq(reconciliationMismatches.billDayId, day.id), eq(reconciliationMismatches.status, "OPEN")));
  const gone = open.filter((m) => !stillThere.has(`${m.outRefundNo}/${m.kind}`)).map((m) => m.id);
  if (gone.length > 0) {
    await tx
      .update(reconciliationMismatches)
      .set({ status: "RESOLVED", resolution: "rerun", note: "no longer differs on a re-run", resolvedAt: now })
      .where(inArray(reconciliationMismatches.id, gone));
  }
  const remaining = open.length - gone.length;
  const [updated] = await tx
    .update(billDays)
    .set({
      status: remaining > 0 ? "MISMATCHED" : "MATCHED",
      attempts,
      nextAttemptAt: null,
      fetchedAt: now,
      hashType: fetched.hashType ?? null,
      hashValue: fetched.hashValue ?? null,
      lineCount: lines.length,
      billTotals: { ...totals },
      consoleTotals: consoleTotals(expected),
      lastErrorCode: null,
      lastErrorMessage: null,
      updatedAt: now,
    })
    .where(eq(billDays.id, day.id))
    .returning();
  return { day: updated!, opened, open: remaining };
}

export async function openCount(db: Db, billDayId: number): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(reconciliationMismatches)
    .where(and(eq(reconciliationMismatches.billDayId, billDayId), eq(reconciliationMismatches.status, "OPEN")));
  return row?.count ?? 0;
}

/** After a mismatch is resolved: a day with nothing open left is MATCHED. */
export async function settleDayStatus(tx: Db, billDayId: number, now: Date): Promise<BillDayStatus> {
  const open = await openCount(tx, billDayId);
  const [day] = await tx
    .update(billDays)
    .set({
      status: sql`case when ${billDays.status} in ('MATCHED', 'MISMATCHED') then ${open > 0 ? "MISMATCHED" : "MATCHED"}::bill_day_status else ${billDays.status} end`,
      updatedAt: now,
    })
    .where(eq(billDays.id, billDayId))
    .returning({ status: billDays.status });
  return day!.status;
}
