/**
 * Maker-checker for abnormal refunds to the payer's bank card: the money goes to whatever account is typed in, so one
 * approver enters the card and another approves it; neither alone sends money anywhere. Until then the card number and
 * name are kept sealed (APP_ENCRYPTION_KEY), and they are cleared as soon as WeChat has them or the application ends.
 */
import { and, asc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, type AuditTarget } from "../audit/append";
import { open, seal } from "../crypto/seal";
import type { Database, Db, Transaction } from "../db/client";
import { bankCardApplications, refunds, users, type BankCardApplication, type Refund } from "../db/schema";
import { ok, type Result } from "../result";
import {
  checkApplicable,
  maskedApplication,
  refused,
  sendAbnormalApplication,
  type AbnormalContext,
  type AbnormalError,
  type BankCardApplicationInput,
} from "./abnormal";
import { appendRefundEvent, lockRefund } from "./move";
import type { GatewayResolver } from "./submit";
import { msg } from "../message";

const sealedCard = z.object({ bankAccount: z.string(), realName: z.string() });
/** Binds a sealed card to its application's refund: a sealed value copied to another row does not open. */
const associatedData = (refundId: number) => `bank-card-application:${refundId}`;

/** An approved application still unsent after this long was interrupted: longer than any answer from WeChat. */
const INTERRUPTED_AFTER_MS = 5 * 60_000;

const NOT_FOUND = () =>
  refused("APPLICATION_NOT_FOUND", msg("outcomes.refunds.bankCardApplications.APPLICATION_NOT_FOUND"));

/**
 * The first approver enters the payer's bank card: checked like any application, recorded sealed and masked, with an
 * event and an audit row. Nothing goes to WeChat yet.
 */
export async function enterBankCardApplication(
  db: Database,
  encryptionKey: Buffer | undefined,
  application: BankCardApplicationInput,
  context: AbnormalContext & { userId: string },
): Promise<Result<BankCardApplication, AbnormalError>> {
  if (!encryptionKey) {
    return refused("ENCRYPTION_KEY_MISSING", msg("outcomes.refunds.bankCardApplications.ENCRYPTION_KEY_MISSING"));
  }
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    const refund = await lockRefund(tx, { outRefundNo: application.outRefundNo, merchantId: context.merchantId });
    if (!refund) return refused("REFUND_NOT_FOUND", msg("outcomes.refunds.bankCardApplications.REFUND_NOT_FOUND"));
    const applicable = await checkApplicable(tx, refund, now);
    if (!applicable.ok) return applicable;
    // One cut short that the sweep has not ended yet must not block this refund's new card: checkApplicable found no
    // sending under way.
    await endInterruptedApplications(tx, now, refund.id);
    const masked = maskedApplication(application) as { bankAccount: string; realName: string };
    const card = JSON.stringify({ bankAccount: application.bankAccount, realName: application.realName });
    const [row] = await tx
      .insert(bankCardApplications)
      .values({
        refundId: refund.id,
        merchantId: refund.merchantId,
        bankType: application.bankType,
        maskedAccount: masked.bankAccount,
        maskedName: masked.realName,
        cardSealed: seal(encryptionKey, card, associatedData(refund.id)),
        enteredBy: context.userId,
        enteredAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      return refused("ALREADY_ENTERED", msg("outcomes.refunds.bankCardApplications.ALREADY_ENTERED"));
    }
    const shown = { type: application.type, bankType: application.bankType, ...masked };
    await appendRefundEvent(tx, refund.id, {
      type: "abnormal_card_entered",
      source: "operator",
      actorId: context.userId,
      at: now,
      payload: { ...shown, application: row.id, by: context.actor.label },
    });
    const target = { type: "refund", id: refund.outRefundNo, merchantId: refund.merchantId } satisfies AuditTarget;
    await appendAudit(tx, context.actor, "refund.abnormal_card_entered", target, { ...shown, application: row.id });
    return ok(row);
  });
}

/**
 * A second approver decides. Rejected: the card is cleared. Approved: the card is opened and sent through the one
 * path every abnormal application takes (sendAbnormalApplication); the application ends SENT or FAILED with WeChat's
 * code, its card cleared either way. The person who entered the card may not approve it.
 */
export async function decideBankCardApplication(
  db: Database,
  resolveGateway: GatewayResolver,
  encryptionKey: Buffer | undefined,
  decision: { applicationId: number; approve: boolean; note?: string },
  context: AbnormalContext & { userId: string },
): Promise<Result<Refund | null, AbnormalError>> {
  const now = context.now ?? new Date();
  const decided = await db.transaction(async (tx) => {
    const [application] = await tx
      .select()
      .from(bankCardApplications)
      .where(
        and(
          eq(bankCardApplications.id, decision.applicationId),
          eq(bankCardApplications.merchantId, context.merchantId),
          eq(bankCardApplications.status, "AWAITING_APPROVAL"),
        ),
      )
      .for("update");
    if (!application) return NOT_FOUND();
    if (application.enteredBy === context.userId) {
      return refused("SELF_APPROVAL", msg("outcomes.refunds.bankCardApplications.SELF_APPROVAL"));
    }
    const [refund] = await tx.select().from(refunds).where(eq(refunds.id, application.refundId));
    const card = decision.approve ? openCard(encryptionKey, application) : undefined;
    if (decision.approve && !card) {
      return refused("ENCRYPTION_KEY_MISSING", msg("outcomes.refunds.bankCardApplications.CARD_UNREADABLE"));
    }
    const status = decision.approve ? "APPROVED" : "REJECTED";
    await tx
      .update(bankCardApplications)
      .set({
        status,
        decidedBy: context.userId,
        decidedAt: now,
        note: decision.note?.trim() || null,
        ...(decision.approve ? {} : { cardSealed: null }),
      })
      .where(eq(bankCardApplications.id, application.id));
    const details = { application: application.id, note: decision.note?.trim() || null };
    await appendRefundEvent(tx, application.refundId, {
      type: decision.approve ? "abnormal_card_approved" : "abnormal_card_rejected",
      source: "operator",
      actorId: context.userId,
      at: now,
      payload: { ...details, by: context.actor.label },
    });
    const target = {
      type: "refund",
      id: refund!.outRefundNo,
      merchantId: application.merchantId,
    } satisfies AuditTarget;
    const action = decision.approve ? "refund.abnormal_card_approved" : "refund.abnormal_card_rejected";
    await appendAudit(tx, context.actor, action, target, details);
    return ok({ application, refund: refund!, card });
  });
  if (!decided.ok) return decided;
  const { application, refund, card } = decided.value;
  if (!card) return ok(null);

  const sent = await sendAbnormalApplication(
    db,
    resolveGateway,
    {
      type: "USER_BANK_CARD",
      outRefundNo: refund.outRefundNo,
      // Validated against the bank list when it was entered.
      bankType: application.bankType as BankCardApplicationInput["bankType"],
      ...card,
    },
    context,
  );
  await db
    .update(bankCardApplications)
    .set({
      status: sent.ok ? "SENT" : "FAILED",
      resultCode: sent.ok ? null : (sent.error.wechatCode ?? sent.error.code),
      cardSealed: null,
    })
    .where(eq(bankCardApplications.id, application.id));
  return sent;
}

/**
 * Ends approved applications whose sending was cut short (the process died between the approval and WeChat's answer):
 * FAILED with INTERRUPTED, the card cleared, and an event on the refund's timeline telling the approvers to enter the
 * card again. Whether WeChat got the application is for the refund's own reconciliation to learn. For one refund
 * (before a new card is entered for it), or for every refund (the refund sweep, lib/jobs/refund-jobs.ts), so that no
 * card stays sealed in the database for an application that will never be sent.
 */
export async function endInterruptedApplications(tx: Transaction, now: Date, refundId?: number): Promise<number> {
  const ended = await tx
    .update(bankCardApplications)
    .set({ status: "FAILED", resultCode: "INTERRUPTED", cardSealed: null })
    .where(
      and(
        refundId === undefined ? undefined : eq(bankCardApplications.refundId, refundId),
        eq(bankCardApplications.status, "APPROVED"),
        lt(bankCardApplications.decidedAt, new Date(now.getTime() - INTERRUPTED_AFTER_MS)),
      ),
    )
    .returning({ id: bankCardApplications.id, refundId: bankCardApplications.refundId });
  for (const application of ended) {
    await appendRefundEvent(tx, application.refundId, {
      type: "abnormal_card_interrupted",
      source: "system",
      at: now,
      payload: { application: application.id },
    });
  }
  return ended.length;
}

function openCard(key: Buffer | undefined, application: BankCardApplication) {
  if (!key || !application.cardSealed) return undefined;
  const opened = open(key, application.cardSealed, associatedData(application.refundId));
  if (!opened.ok) return undefined;
  const parsed = sealedCard.safeParse(JSON.parse(opened.value.toString("utf8")));
  return parsed.success ? parsed.data : undefined;
}

/** The applications of one merchant waiting for a second approver (optionally of one refund), oldest first. */
export async function listBankCardApplicationsAwaiting(db: Db, merchantId: string, refundId?: number) {
  return db
    .select({
      id: bankCardApplications.id,
      refundId: bankCardApplications.refundId,
      outRefundNo: refunds.outRefundNo,
      amountFen: refunds.amountFen,
      bankType: bankCardApplications.bankType,
      maskedAccount: bankCardApplications.maskedAccount,
      maskedName: bankCardApplications.maskedName,
      enteredBy: bankCardApplications.enteredBy,
      enteredByName: users.name,
      enteredAt: bankCardApplications.enteredAt,
    })
    .from(bankCardApplications)
    .innerJoin(refunds, eq(refunds.id, bankCardApplications.refundId))
    .innerJoin(users, eq(users.id, bankCardApplications.enteredBy))
    .where(
      and(
        eq(bankCardApplications.merchantId, merchantId),
        eq(bankCardApplications.status, "AWAITING_APPROVAL"),
        refundId === undefined ? undefined : eq(bankCardApplications.refundId, refundId),
      ),
    )
    .orderBy(asc(bankCardApplications.enteredAt), asc(bankCardApplications.id));
}

export type BankCardApplicationRow = Awaited<ReturnType<typeof listBankCardApplicationsAwaiting>>[number];
