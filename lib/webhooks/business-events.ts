import type { Transaction } from "../db/client";
import { raiseAlert } from "../alerts/raise";
import type { BulkBatch } from "../db/schema";
import { isoBeijing } from "../merchant-api/format";
import type { DetectedMismatch } from "../reconciliation/compare";
import { writeOutboxEvent } from "./outbox";

/** `bulk.completed`, in the transaction that completes the batch. */
export async function bulkCompleted(tx: Transaction, batch: BulkBatch, now: Date): Promise<void> {
  await writeOutboxEvent(tx, {
    merchantId: batch.merchantId,
    type: "bulk.completed",
    at: now,
    data: {
      bulk: {
        id: batch.id,
        file_name: batch.fileName,
        status: "COMPLETED",
        total_rows: batch.totalRows,
        valid_rows: batch.validRows,
        valid_amount: batch.validAmountFen,
        finished_at: isoBeijing(now),
      },
    },
  });
}

/**
 * A mismatch newly found by reconciliation, in the transaction that records it: `reconciliation.mismatch` for the
 * shop's systems, and an alert for the operators (grouped per run by the dispatcher).
 */
export async function mismatchFound(
  tx: Transaction,
  day: { id: number; merchantId: string; billDate: string },
  mismatch: DetectedMismatch,
  now: Date,
): Promise<void> {
  const data = {
    bill_date: day.billDate,
    out_refund_no: mismatch.outRefundNo,
    kind: mismatch.kind,
    console_value: mismatch.consoleValue ?? null,
    bill_value: mismatch.billValue ?? null,
  };
  await writeOutboxEvent(tx, {
    merchantId: day.merchantId,
    type: "reconciliation.mismatch",
    refundId: mismatch.refundId ?? null,
    at: now,
    data: { mismatch: data },
  });
  await raiseAlert(tx, {
    kind: "reconciliation_mismatch",
    merchantId: day.merchantId,
    subject: `${day.id}/${mismatch.outRefundNo}/${mismatch.kind}`,
    detail: {
      billDayId: day.id,
      billDate: day.billDate,
      outRefundNo: mismatch.outRefundNo,
      mismatchKind: mismatch.kind,
    },
    at: now,
  });
}
