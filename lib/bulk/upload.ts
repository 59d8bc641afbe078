import { and, eq, inArray } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { bulkBatches, bulkRows, merchants, orders } from "../db/schema";
import { err, ok, type Result } from "../result";
import { newOutRefundNo } from "../refunds/out-refund-no";
import { parseBulkCsv, type BulkEncoding, type BulkFileError } from "./csv";
import { validateLines, type OrderForBulk } from "./validate";
import { msg, type Message } from "../message";

export interface UploadInput {
  merchantId: string;
  fileName: string;
  bytes: Uint8Array;
}

export interface UploadContext {
  actor: AuditActor;
  userId: string;
  now?: Date;
}

export interface UploadedBatch {
  batchId: number;
  encoding: BulkEncoding;
  totalRows: number;
  validRows: number;
}

export type UploadError = BulkFileError | { code: "MERCHANT_NOT_FOUND"; message: Message };

const LOOKUP_CHUNK = 5_000;
const INSERT_CHUNK = 1_000;

/** The merchant's orders named in the file, by out_trade_no (one indexed lookup per few thousand numbers). */
async function loadOrders(db: Db, merchantId: string, outTradeNos: string[]): Promise<Map<string, OrderForBulk>> {
  const found = new Map<string, OrderForBulk>();
  const unique = [...new Set(outTradeNos.filter(Boolean))];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const rows = await db
      .select({
        id: orders.id,
        outTradeNo: orders.outTradeNo,
        payerOpenid: orders.payerOpenid,
        totalFen: orders.totalFen,
        refundedFen: orders.refundedFen,
        inFlightFen: orders.inFlightFen,
        refundCount: orders.refundCount,
        paidAt: orders.paidAt,
      })
      .from(orders)
      .where(and(eq(orders.merchantId, merchantId), inArray(orders.outTradeNo, unique.slice(i, i + LOOKUP_CHUNK))));
    for (const { outTradeNo, ...order } of rows) found.set(outTradeNo, order);
  }
  return found;
}

/**
 * Read an uploaded file, check every line against the orders as they stand now, and store the result as a batch
 * waiting for confirmation. Nothing is refunded here. Each valid line gets its out_refund_no now, so that running it
 * twice (after a crash, a retry) can only ever find the refund it already made.
 */
export async function uploadBatch(
  db: Database,
  input: UploadInput,
  context: UploadContext,
): Promise<Result<UploadedBatch, UploadError>> {
  const now = context.now ?? new Date();
  const parsed = parseBulkCsv(input.bytes);
  if (!parsed.ok) return parsed;
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, input.merchantId));
  if (!merchant)
    return err({ code: "MERCHANT_NOT_FOUND" as const, message: msg("outcomes.bulk.upload.MERCHANT_NOT_FOUND") });

  const { lines } = parsed.value;
  const found = await loadOrders(
    db,
    merchant.id,
    lines.map((l) => l.outTradeNo),
  );
  const validated = validateLines(lines, { merchantActive: merchant.active, orders: found, now });

  const batchId = await db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(bulkBatches)
      .values({
        merchantId: merchant.id,
        fileName: input.fileName.slice(0, 200),
        status: "VALIDATED",
        totalRows: lines.length,
        validRows: validated.validRows,
        validAmountFen: validated.validAmountFen,
        createdBy: context.userId,
        createdAt: now,
      })
      .returning({ id: bulkBatches.id });
    const values = validated.lines.map((line) => ({
      batchId: batch!.id,
      lineNo: line.lineNo,
      outTradeNo: line.outTradeNo.slice(0, 200),
      amountText: line.amountText.slice(0, 200),
      full: line.full,
      amountFen: line.amountFen,
      reason: line.reason.slice(0, 500),
      orderId: line.orderId,
      payerOpenid: line.payerOpenid,
      outRefundNo: line.status === "READY" ? newOutRefundNo(now) : null,
      status: line.status,
      errorCode: line.errorCode,
      errorMessage: line.errorMessage,
    }));
    for (let i = 0; i < values.length; i += INSERT_CHUNK)
      await tx.insert(bulkRows).values(values.slice(i, i + INSERT_CHUNK));
    await appendAudit(
      tx,
      context.actor,
      "bulk.uploaded",
      { type: "bulk_batch", id: batch!.id, merchantId: merchant.id },
      {
        fileName: input.fileName,
        merchantId: merchant.id,
        encoding: parsed.value.encoding,
        totalRows: lines.length,
        validRows: validated.validRows,
        validAmountFen: validated.validAmountFen,
        after: { status: "VALIDATED" },
      },
    );
    return batch!.id;
  });
  return ok({ batchId, encoding: parsed.value.encoding, totalRows: lines.length, validRows: validated.validRows });
}
