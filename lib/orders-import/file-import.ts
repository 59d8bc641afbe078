/**
 * Orders from a file: a merchant moving from another system uploads its orders in the columns of the console's own
 * orders export (headers in Chinese or English, as the export writes them). Each line is checked on its own; good
 * lines become orders, a line whose order is already there exactly as stated is left alone (uploading the same file
 * again changes nothing), and every refused line is kept with its reason for the downloadable error report.
 */
import { and, eq, inArray } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { orderFileImports, orders, type OrderFileImport, type OrderFileProblem } from "../db/schema";
import { ok, type Result } from "../result";
import { checkLine, problem, readLines, type OrderFileError, type OrderLine } from "./order-file";
import { msg } from "../message";

const CHUNK = 1000;

async function existingOrders(db: Db, merchantId: string, numbers: string[]) {
  const found = new Map<string, { transactionId: string; totalFen: number }>();
  for (let i = 0; i < numbers.length; i += CHUNK) {
    const rows = await db
      .select({ outTradeNo: orders.outTradeNo, transactionId: orders.transactionId, totalFen: orders.totalFen })
      .from(orders)
      .where(and(eq(orders.merchantId, merchantId), inArray(orders.outTradeNo, numbers.slice(i, i + CHUNK))));
    for (const row of rows) found.set(row.outTradeNo, row);
  }
  return found;
}

export interface OrderFileInput {
  merchantId: string;
  fileName: string;
  bytes: Uint8Array;
  actor: AuditActor;
  userId: string | null;
  now?: Date;
}

/** Reads, checks and imports the file in one transaction, recording its outcome and an audit row. */
export async function importOrderFile(
  db: Database,
  input: OrderFileInput,
): Promise<Result<OrderFileImport, OrderFileError>> {
  const now = input.now ?? new Date();
  const read = readLines(input.bytes);
  if (!read.ok) return read;
  const problems: OrderFileProblem[] = [];
  const good: OrderLine[] = [];
  const seen = new Set<string>();
  for (const { lineNo, cells } of read.value.lines) {
    const line = checkLine(lineNo, cells, now);
    if ("code" in line) problems.push(line);
    else if (seen.has(line.outTradeNo))
      problems.push(
        problem(
          lineNo,
          line.outTradeNo,
          "DUPLICATE_IN_FILE",
          msg("outcomes.ordersImport.fileImport.DUPLICATE_IN_FILE"),
        ),
      );
    else {
      seen.add(line.outTradeNo);
      good.push(line);
    }
  }

  return db.transaction(async (tx) => {
    const existing = await existingOrders(
      tx,
      input.merchantId,
      good.map((l) => l.outTradeNo),
    );
    let imported = 0;
    let unchanged = 0;
    const fresh: OrderLine[] = [];
    for (const line of good) {
      const known = existing.get(line.outTradeNo);
      if (!known) fresh.push(line);
      else if (known.transactionId === line.transactionId && known.totalFen === line.totalFen) unchanged += 1;
      else
        problems.push(
          problem(
            line.lineNo,
            line.outTradeNo,
            "ORDER_CONFLICT",
            msg("outcomes.ordersImport.fileImport.ORDER_CONFLICT"),
          ),
        );
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const rows = await tx
        .insert(orders)
        .values(
          fresh.slice(i, i + CHUNK).map((l) => ({
            merchantId: input.merchantId,
            outTradeNo: l.outTradeNo,
            transactionId: l.transactionId,
            totalFen: l.totalFen,
            paidAt: l.paidAt,
            description: l.description,
          })),
        )
        // A concurrent import of the same order makes it; this one then finds nothing to do for that line.
        .onConflictDoNothing({ target: [orders.merchantId, orders.outTradeNo] })
        .returning({ id: orders.id });
      imported += rows.length;
      unchanged += Math.min(CHUNK, fresh.length - i) - rows.length;
    }
    problems.sort((a, b) => a.lineNo - b.lineNo);
    const [row] = await tx
      .insert(orderFileImports)
      .values({
        merchantId: input.merchantId,
        fileName: input.fileName.slice(0, 255),
        encoding: read.value.encoding,
        totalRows: read.value.lines.length,
        importedRows: imported,
        unchangedRows: unchanged,
        problems,
        uploadedBy: input.userId,
      })
      .returning();
    await appendAudit(
      tx,
      input.actor,
      "orders.file_import",
      { type: "order_file_import", id: row!.id, merchantId: input.merchantId },
      {
        fileName: row!.fileName,
        totalRows: row!.totalRows,
        imported,
        unchanged,
        refused: problems.length,
      },
    );
    return ok(row!);
  });
}
