import { eq } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Transaction } from "../db/client";
import { merchants, refunds, type Refund } from "../db/schema";
import { maskAccount, maskName } from "../evidence/redact";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { ABNORMAL_BANK_TYPES } from "./bank-types";
import type { AbnormalRefundRequest } from "./gateway";
import { appendRefundEvent, lockRefund, moveRefund } from "./move";
import { OUT_REFUND_NO_PATTERN } from "./out-refund-no";
import { applyGatewayReport } from "./report";
import type { GatewayResolver } from "./submit";

const outRefundNo = z.string().regex(OUT_REFUND_NO_PATTERN);

/** Where the money of an ABNORMAL refund goes: the payer's bank card (with its details) or the merchant's account. */
export const abnormalApplicationSchema = z.discriminatedUnion("type", [
  z.object({
    outRefundNo,
    type: z.literal("USER_BANK_CARD"),
    bankType: z.enum(ABNORMAL_BANK_TYPES),
    // People type card numbers in groups of four.
    bankAccount: z
      .string()
      .transform((s) => s.replace(/\s/g, ""))
      .pipe(z.string().regex(/^\d{6,32}$/)),
    realName: z.string().trim().min(1).max(64),
  }),
  z.object({ outRefundNo, type: z.literal("MERCHANT_BANK_CARD") }),
]);
export type AbnormalApplication = z.output<typeof abnormalApplicationSchema>;
export type BankCardApplicationInput = Extract<AbnormalApplication, { type: "USER_BANK_CARD" }>;
export type MerchantAccountApplication = Extract<AbnormalApplication, { type: "MERCHANT_BANK_CARD" }>;

export type AbnormalErrorCode =
  | "REFUND_NOT_FOUND"
  | "NOT_ABNORMAL"
  | "IN_PROGRESS"
  | "NO_REFUND_ID"
  | "NOT_SUPPORTED"
  | "WECHAT_REFUSED"
  | "APPLICATION_NOT_FOUND"
  | "ALREADY_ENTERED"
  | "SELF_APPROVAL"
  | "ENCRYPTION_KEY_MISSING";
export type AbnormalError = { code: AbnormalErrorCode; wechatCode?: string; message: Message };

/** Longer than the gateway's timeout: a second approver's application waits until the first one's answer is in. */
const APPLICATION_LEASE_MS = 30_000;

export const refused = (code: AbnormalErrorCode, message: Message): Result<never, AbnormalError> =>
  err({ code, message });

/** What the timeline and the audit log keep of an application: the payer's card and name masked. */
export function maskedApplication(application: AbnormalApplication) {
  if (application.type === "MERCHANT_BANK_CARD") return { type: application.type };
  return {
    type: application.type,
    bankType: application.bankType,
    bankAccount: maskAccount(application.bankAccount),
    realName: maskName(application.realName),
  };
}

export interface AbnormalContext {
  /** The caller's merchant: another merchant's refund is not found. */
  merchantId: string;
  actor: AuditActor;
  userId: string | null;
  now?: Date;
}

/**
 * Whether an abnormal-refund application may go for this (locked) refund now: ABNORMAL, with WeChat's refund id, of an
 * APIv3 merchant (APIv2 has no such API), and no application being sent this moment.
 */
export async function checkApplicable(
  tx: Transaction,
  refund: Refund,
  now: Date,
): Promise<Result<void, AbnormalError>> {
  if (refund.status !== "ABNORMAL") {
    return refused("NOT_ABNORMAL", msg("outcomes.refunds.abnormal.NOT_ABNORMAL"));
  }
  if (!refund.refundId) return refused("NO_REFUND_ID", msg("outcomes.refunds.abnormal.NO_REFUND_ID"));
  const [merchant] = await tx
    .select({ apiVersion: merchants.apiVersion })
    .from(merchants)
    .where(eq(merchants.id, refund.merchantId));
  if (merchant?.apiVersion !== "v3") {
    return refused("NOT_SUPPORTED", msg("outcomes.refunds.abnormal.NOT_SUPPORTED"));
  }
  if (refund.submittingUntil && refund.submittingUntil > now) {
    return refused("IN_PROGRESS", msg("outcomes.refunds.abnormal.IN_PROGRESS"));
  }
  return ok(undefined);
}

/**
 * An approver's application to send an ABNORMAL refund's money to the merchant's own bank account (异常退款 to
 * MERCHANT_BANK_CARD). One person may do it: the money goes to the merchant, not to an account typed in. An application
 * to the payer's card goes through bank-card-applications.ts, entered by one approver and approved by another.
 */
export function applyAbnormalRefund(
  db: Database,
  resolveGateway: GatewayResolver,
  application: MerchantAccountApplication,
  context: AbnormalContext,
): Promise<Result<Refund, AbnormalError>> {
  return sendAbnormalApplication(db, resolveGateway, application, context);
}

/**
 * Sends an abnormal-refund application to WeChat. The transaction checks the refund (checkApplicable), takes a short
 * lease so two applications cannot go at once, records the event and the audit entry (card and name masked) and
 * commits; then WeChat is asked (the APIv3 client encrypts the card and name with the platform key), and its answer
 * is applied under the refund's lock. For the payer's card, only once a second approver approved it.
 */
export async function sendAbnormalApplication(
  db: Database,
  resolveGateway: GatewayResolver,
  application: AbnormalApplication,
  context: AbnormalContext,
): Promise<Result<Refund, AbnormalError>> {
  const now = context.now ?? new Date();
  const prepared = await db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { outRefundNo: application.outRefundNo, merchantId: context.merchantId });
    if (!refund) return refused("REFUND_NOT_FOUND", msg("outcomes.refunds.abnormal.REFUND_NOT_FOUND"));
    const applicable = await checkApplicable(tx, refund, now);
    if (!applicable.ok) return applicable;
    await tx
      .update(refunds)
      .set({ submittingUntil: new Date(now.getTime() + APPLICATION_LEASE_MS), updatedAt: now })
      .where(eq(refunds.id, refund.id));
    const masked = maskedApplication(application);
    await appendRefundEvent(tx, refund.id, {
      type: "abnormal_applied",
      source: "operator",
      actorId: context.userId,
      at: now,
      payload: { ...masked, by: context.actor.label },
    });
    await appendAudit(
      tx,
      context.actor,
      "refund.abnormal_applied",
      { type: "refund", id: refund.outRefundNo, merchantId: refund.merchantId },
      { ...masked, before: { status: refund.status } },
    );
    return ok(refund);
  });
  if (!prepared.ok) return prepared;
  const refund = prepared.value;

  const request: AbnormalRefundRequest =
    application.type === "USER_BANK_CARD"
      ? {
          refundId: refund.refundId!,
          outRefundNo: refund.outRefundNo,
          type: application.type,
          bankType: application.bankType,
          bankAccount: application.bankAccount,
          realName: application.realName,
        }
      : { refundId: refund.refundId!, outRefundNo: refund.outRefundNo, type: application.type };
  const gateway = await resolveGateway(refund.merchantId);
  const answer = gateway.ok ? await gateway.value.applyAbnormal(request) : gateway;

  return db.transaction(async (tx) => {
    const locked = await lockRefund(tx, { id: refund.id });
    if (!locked) return refused("REFUND_NOT_FOUND", msg("outcomes.refunds.abnormal.REFUND_NOT_FOUND"));
    if (!answer.ok) {
      const { code, detail, advice, message } = answer.error;
      await tx.update(refunds).set({ submittingUntil: null, updatedAt: new Date() }).where(eq(refunds.id, refund.id));
      await appendRefundEvent(tx, refund.id, {
        type: "abnormal_refused",
        source: "gateway",
        payload: { code, message: detail, advice },
      });
      return err({ code: "WECHAT_REFUSED" as const, wechatCode: code, message });
    }
    const report = answer.value;
    const payload = { abnormalApplication: application.type };
    if (locked.status === "ABNORMAL" && report.status === "PROCESSING") {
      // The one way out of ABNORMAL back to PROCESSING, which a report alone never takes (see isForwardReport).
      await moveRefund(
        tx,
        locked,
        "PROCESSING",
        {
          type: "abnormal_accepted",
          source: "gateway",
          payload: {
            refundId: report.refundId,
            channel: report.channel,
            userReceivedAccount: report.userReceivedAccount,
            ...payload,
          },
        },
        {
          channel: report.channel ?? locked.channel,
          userReceivedAccount: report.userReceivedAccount ?? locked.userReceivedAccount,
          submittingUntil: null,
        },
      );
    } else {
      await applyGatewayReport(tx, locked, report, "gateway", payload);
      await tx.update(refunds).set({ submittingUntil: null }).where(eq(refunds.id, refund.id));
    }
    const after = await lockRefund(tx, { id: refund.id });
    return ok(after!);
  });
}
