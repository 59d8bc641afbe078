/**
 * A merchant's ALL trade bill of one day, imported as orders: every payment of the day (SUCCESS lines) and every
 * payment a refund of the day names (REFUND lines) becomes an order, unless the merchant has it already. The bill is
 * streamed into batched inserts inside one transaction, so a day is imported whole or not at all (a hash that does
 * not match, known only at the end, rolls everything back), and a re-run of the same bill creates nothing.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client";
import { orderImportDays, orders, type OrderImportDay } from "../db/schema";
import { appendAudit, type AuditActor } from "../audit/append";
import { err, ok, type Result } from "../result";
import { MISSING_BILL_CODES, type TradeBillFile, type TradeBillSourceResolver } from "../reconciliation/bill-source";
import { nextAttemptAfter } from "../reconciliation/run";
import { byteChunks, readBillStream } from "../wechatpay/bill-stream";
import type { WechatPayError } from "../wechatpay/errors";
import { TRADE_BILL_KEY_COLUMN, tradeBillPayment, type TradeBillPayment } from "../wechatpay/trade-bill";

/** Rows per INSERT: large enough to keep round trips few, small enough to keep a batch's memory small. */
export const IMPORT_BATCH_ROWS = 1000;

export interface ImportDayRequest {
  merchantId: string;
  billDate: string;
  actor: AuditActor;
  now?: Date;
}

export interface ImportDayOutcome {
  day: OrderImportDay;
  /** Orders this run created. */
  imported: number;
}

interface Counts {
  lines: number;
  payments: number;
  imported: number;
}

/** A batch keyed by out_trade_no: one INSERT may not touch a row twice, and a payment's own line beats a refund's. */
type Batch = Map<string, TradeBillPayment>;

async function insertBatch(tx: Transaction, merchantId: string, batch: Batch): Promise<number> {
  if (batch.size === 0) return 0;
  const values = [...batch.values()].map((p) => ({
    merchantId,
    outTradeNo: p.outTradeNo,
    transactionId: p.transactionId,
    description: p.description,
    payerOpenid: p.payerOpenid,
    totalFen: p.totalFen,
    currency: p.currency,
    paidAt: p.time,
    paidAtEstimated: p.state === "REFUND",
  }));
  // An order the merchant already has (from its API, a file, an earlier bill) is kept as it is; only a paid_at that
  // a refund line estimated is corrected by the payment's own line of the same payment.
  const rows = await tx
    .insert(orders)
    .values(values)
    .onConflictDoUpdate({
      target: [orders.merchantId, orders.outTradeNo],
      set: { paidAt: sql`excluded.paid_at`, paidAtEstimated: false },
      setWhere: sql`${orders.paidAtEstimated} and not excluded.paid_at_estimated and ${orders.transactionId} = excluded.transaction_id`,
    })
    .returning({ inserted: sql<boolean>`xmax = 0` });
  return rows.filter((r) => r.inserted).length;
}

/** A payment the console can hold as an order: CNY (the console's currency) and a positive amount. */
const importable = (p: TradeBillPayment) => p.currency === "CNY" && p.totalFen > 0;

class Rollback extends Error {
  constructor(readonly reason: WechatPayError) {
    super(reason.detail);
  }
}

/** Streams the file into orders; any unusable line, a wrong summary or hash throws Rollback. */
async function importFile(tx: Transaction, merchantId: string, file: TradeBillFile): Promise<Counts> {
  const counts: Counts = { lines: 0, payments: 0, imported: 0 };
  let batch: Batch = new Map();
  const expected = file.hashType && file.hashValue ? { hashType: file.hashType, hashValue: file.hashValue } : undefined;
  const read = await readBillStream(byteChunks(file.bytes), {
    requiredColumn: TRADE_BILL_KEY_COLUMN,
    expected,
    onLine: async (lineNo, raw) => {
      counts.lines = lineNo;
      const payment = tradeBillPayment(lineNo, raw);
      if (!payment.ok) return payment;
      if (!payment.value || !importable(payment.value)) return ok(undefined);
      counts.payments += 1;
      const held = batch.get(payment.value.outTradeNo);
      if (!held || (held.state === "REFUND" && payment.value.state === "SUCCESS"))
        batch.set(payment.value.outTradeNo, payment.value);
      if (batch.size >= IMPORT_BATCH_ROWS) {
        counts.imported += await insertBatch(tx, merchantId, batch);
        batch = new Map();
      }
      return ok(undefined);
    },
  });
  if (!read.ok) throw new Rollback(read.error);
  counts.imported += await insertBatch(tx, merchantId, batch);
  return counts;
}

async function lockDay(tx: Transaction, merchantId: string, billDate: string): Promise<OrderImportDay> {
  await tx.insert(orderImportDays).values({ merchantId, billDate }).onConflictDoNothing();
  const [day] = await tx
    .select()
    .from(orderImportDays)
    .where(and(eq(orderImportDays.merchantId, merchantId), eq(orderImportDays.billDate, billDate)))
    .for("update");
  return day!;
}

/**
 * Downloads the day's ALL bill (before the transaction: the network is never waited on holding a lock), then in one
 * transaction locks the day (a backfill and the daily job never interleave on it), imports, records the day and the
 * audit row.
 */
export async function importTradeBillDay(
  db: Database,
  resolveSource: TradeBillSourceResolver,
  request: ImportDayRequest,
): Promise<ImportDayOutcome> {
  const { merchantId, billDate, actor } = request;
  const now = request.now ?? new Date();
  const source = await resolveSource(merchantId);
  const fetched: Result<TradeBillFile | null, WechatPayError> = source.ok
    ? await source.value.tradeBillFile(billDate)
    : source;
  // No bill at all: a day without a payment or a refund.
  const file = !fetched.ok && fetched.error.code === "NO_STATEMENT_EXIST" ? ok(null) : fetched;

  return db.transaction(async (tx) => {
    const day = await lockDay(tx, merchantId, billDate);
    const attempts = day.attempts + 1;
    let outcome: Result<Counts, WechatPayError>;
    if (!file.ok) outcome = file;
    else if (file.value === null) outcome = ok({ lines: 0, payments: 0, imported: 0 });
    else {
      const bill = file.value;
      try {
        outcome = ok(await tx.transaction((savepoint) => importFile(savepoint, merchantId, bill)));
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
        outcome = err(error.reason);
      }
    }
    const [updated] = await tx
      .update(orderImportDays)
      .set(
        outcome.ok
          ? {
              status: "IMPORTED",
              attempts,
              nextAttemptAt: null,
              fetchedAt: now,
              hashType: file.ok ? (file.value?.hashType ?? null) : null,
              hashValue: file.ok ? (file.value?.hashValue ?? null) : null,
              lineCount: outcome.value.lines,
              paymentCount: outcome.value.payments,
              importedCount: outcome.value.imported,
              lastErrorCode: null,
              lastErrorMessage: null,
              updatedAt: now,
            }
          : {
              status: MISSING_BILL_CODES.includes(outcome.error.code) ? "MISSING" : "ERROR",
              attempts,
              nextAttemptAt: nextAttemptAfter(attempts, now),
              lastErrorCode: outcome.error.code,
              lastErrorMessage: outcome.error.detail.slice(0, 500),
              updatedAt: now,
            },
      )
      .where(eq(orderImportDays.id, day.id))
      .returning();
    await appendAudit(
      tx,
      actor,
      "orders.bill_import",
      { type: "order_import_day", id: day.id, merchantId },
      {
        billDate,
        before: { status: day.status },
        after: { status: updated!.status },
        lineCount: updated!.lineCount,
        imported: outcome.ok ? outcome.value.imported : 0,
        errorCode: updated!.lastErrorCode,
      },
    );
    return { day: updated!, imported: outcome.ok ? outcome.value.imported : 0 };
  });
}
