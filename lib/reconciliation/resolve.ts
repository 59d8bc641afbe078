import { and, eq } from "drizzle-orm";
import type { Database, Transaction } from "../db/client";
import { billDays, reconciliationMismatches, type ReconciliationMismatch } from "../db/schema";
import { appendAudit, type AuditActor } from "../audit/append";
import { msg, type Message } from "../message";
import type { GatewayRefund } from "../refunds/gateway";
import { lockRefund } from "../refunds/move";
import { applyGatewayReport } from "../refunds/report";
import type { GatewayResolver } from "../refunds/submit";
import { err, ok, type Result } from "../result";
import { settleDayStatus } from "./run";
import { fromBeijingPlain } from "../beijing-time";

export type Resolution = "queried" | "accepted_bill" | "explained";

export interface ResolveError {
  code: string;
  message: Message;
}

export interface Resolved {
  resolved: boolean;
  /** What WeChat answered to "query WeChat now". */
  wechatStatus?: string;
}

interface Context {
  /** The caller's merchant: another merchant's mismatch is not found. */
  merchantId: string;
  actor: AuditActor;
  now?: Date;
}

const fail = (code: string, message: Message) => err<ResolveError>({ code, message });
const NOT_OPEN = () => fail("MISMATCH_NOT_OPEN", msg("outcomes.reconciliation.resolve.MISMATCH_NOT_OPEN"));

/** The mismatch `id` of this merchant. */
const mismatchOf = (id: number, merchantId: string) =>
  and(eq(reconciliationMismatches.id, id), eq(reconciliationMismatches.merchantId, merchantId));

async function lockOpenMismatch(
  tx: Transaction,
  id: number,
  merchantId: string,
): Promise<ReconciliationMismatch | undefined> {
  const [row] = await tx.select().from(reconciliationMismatches).where(mismatchOf(id, merchantId)).for("update");
  return row?.status === "OPEN" ? row : undefined;
}

async function findMismatch(db: Database, id: number, merchantId: string): Promise<ReconciliationMismatch | undefined> {
  const [row] = await db.select().from(reconciliationMismatches).where(mismatchOf(id, merchantId));
  return row;
}

/** Marks a locked, open mismatch resolved, writes the audit row and settles the day, in the caller's transaction. */
async function close(
  tx: Transaction,
  mismatch: ReconciliationMismatch,
  resolution: Resolution,
  note: string | null,
  context: Context,
  details: Record<string, unknown> = {},
): Promise<void> {
  const now = context.now ?? new Date();
  const after = { status: "RESOLVED" as const, resolution, note };
  await tx
    .update(reconciliationMismatches)
    .set({ ...after, resolvedBy: context.actor.id, resolvedAt: now })
    .where(eq(reconciliationMismatches.id, mismatch.id));
  const dayStatus = await settleDayStatus(tx, mismatch.billDayId, now);
  const [day] = await tx
    .select({ billDate: billDays.billDate })
    .from(billDays)
    .where(eq(billDays.id, mismatch.billDayId));
  await appendAudit(
    tx,
    context.actor,
    "reconciliation.resolved",
    { type: "reconciliation_mismatch", id: mismatch.id, merchantId: mismatch.merchantId },
    {
      billDate: day?.billDate,
      kind: mismatch.kind,
      outRefundNo: mismatch.outRefundNo,
      before: { status: "OPEN" },
      after,
      dayStatus,
      ...details,
    },
  );
}

/** "Mark explained": a person says why the difference is fine; the note is required and kept. */
export async function explainMismatch(
  db: Database,
  id: number,
  note: string,
  context: Context,
): Promise<Result<Resolved, ResolveError>> {
  const text = note.trim();
  if (text === "") return fail("NOTE_REQUIRED", msg("outcomes.reconciliation.resolve.NOTE_REQUIRED"));
  return db.transaction(async (tx) => {
    const mismatch = await lockOpenMismatch(tx, id, context.merchantId);
    if (!mismatch) return NOT_OPEN();
    await close(tx, mismatch, "explained", text, context);
    return ok({ resolved: true });
  });
}

/**
 * "Accept WeChat's value". A refund the bill shows successful becomes SUCCESS through the same exactly-once path as
 * callbacks and queries (source reconciler); amount differences are recorded as accepted with the bill's values,
 * and no money moves. Refunds the console never made, or that the bill lacks, have no value to accept.
 */
export async function acceptBillValue(
  db: Database,
  id: number,
  context: Context,
): Promise<Result<Resolved, ResolveError>> {
  const found = await findMismatch(db, id, context.merchantId);
  if (!found || found.status !== "OPEN") return NOT_OPEN();
  if (found.kind === "AMOUNT_DIFFERS") {
    return db.transaction(async (tx) => {
      const mismatch = await lockOpenMismatch(tx, id, context.merchantId);
      if (!mismatch) return NOT_OPEN();
      await close(tx, mismatch, "accepted_bill", null, context, {
        accepted: mismatch.billValue,
        console: mismatch.consoleValue,
      });
      return ok({ resolved: true });
    });
  }
  const bill = found.billValue ?? {};
  if (found.kind !== "NOT_SUCCESS_IN_CONSOLE" || found.refundId === null || bill.refundStatus !== "SUCCESS") {
    return fail("NOTHING_TO_ACCEPT", msg("outcomes.reconciliation.resolve.NOTHING_TO_ACCEPT"));
  }
  const refundId = found.refundId;
  return db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { id: refundId });
    const mismatch = await lockOpenMismatch(tx, id, context.merchantId);
    if (!refund || !mismatch) return NOT_OPEN();
    const report: GatewayRefund = {
      refundId: typeof bill.refundId === "string" ? bill.refundId : (refund.refundId ?? ""),
      status: "SUCCESS",
      successTime: fromBeijingPlain(bill.time),
    };
    const applied = await applyGatewayReport(tx, refund, report, "reconciler", {
      reconciliation: { mismatchId: id, acceptedBill: true, actor: context.actor.label },
    });
    if (applied !== "applied") {
      return fail("CANNOT_ACCEPT", msg("outcomes.reconciliation.resolve.CANNOT_ACCEPT", { status: refund.status }));
    }
    await close(tx, mismatch, "accepted_bill", null, context, {
      before: { status: "OPEN", refundStatus: refund.status },
      accepted: bill,
    });
    return ok({ resolved: true });
  });
}

/**
 * "Query WeChat now": asks WeChat where the refund stands, applies the answer through the exactly-once report path
 * (source reconciler), then checks again. A refund that is now SUCCESS in the console, or that WeChat confirms
 * succeeded although the bill lacks it, resolves the mismatch; otherwise it stays open with WeChat's answer audited.
 */
export async function queryWechatForMismatch(
  db: Database,
  resolveGateway: GatewayResolver,
  id: number,
  context: Context,
): Promise<Result<Resolved, ResolveError>> {
  const found = await findMismatch(db, id, context.merchantId);
  if (!found || found.status !== "OPEN") return NOT_OPEN();
  const gateway = await resolveGateway(found.merchantId);
  const answer = gateway.ok ? await gateway.value.query(found.outRefundNo) : gateway;
  if (!answer.ok) {
    return err({ code: answer.error.code, message: answer.error.message });
  }
  const report = answer.value;
  return db.transaction(async (tx) => {
    const refund = found.refundId === null ? undefined : await lockRefund(tx, { id: found.refundId });
    const mismatch = await lockOpenMismatch(tx, id, context.merchantId);
    if (!mismatch) return NOT_OPEN();
    const payload = { reconciliation: { mismatchId: id, actor: context.actor.label } };
    if (refund) await applyGatewayReport(tx, refund, report, "reconciler", payload);
    const after = refund ? await lockRefund(tx, { id: refund.id }) : undefined;
    const wechat = { status: report.status, refundId: report.refundId, successTime: report.successTime };
    const resolved =
      (mismatch.kind === "NOT_SUCCESS_IN_CONSOLE" && after?.status === "SUCCESS") ||
      (mismatch.kind === "MISSING_FROM_BILL" && report.status === "SUCCESS" && after?.status === "SUCCESS");
    if (resolved) {
      await close(tx, mismatch, "queried", null, context, { wechat });
    } else {
      await appendAudit(
        tx,
        context.actor,
        "reconciliation.queried",
        { type: "reconciliation_mismatch", id },
        {
          kind: mismatch.kind,
          outRefundNo: mismatch.outRefundNo,
          wechat,
          consoleStatus: after?.status ?? null,
        },
      );
    }
    return ok({ resolved, wechatStatus: report.status });
  });
}
