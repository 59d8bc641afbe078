import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser } from "../../tests/fixtures/orders";
import { simulatedMerchant, type SimulatedMerchant } from "../../tests/fixtures/simulator-merchant";
import type { AuditActor } from "../audit/append";
import { auditLog, bankCardApplications, gatewayExchanges, merchants, refundEvents, refunds } from "../db/schema";
import { ok } from "../result";
import { recorded } from "../wechatpay/recorded-gateway";
import { abnormalApplicationSchema, sendAbnormalApplication, type BankCardApplicationInput } from "./abnormal";
import {
  decideBankCardApplication,
  endInterruptedApplications,
  enterBankCardApplication,
} from "./bank-card-applications";
import { reconcileRefund } from "./reconcile";
import { requestRefund, type RequestContext } from "./request";
import { submitRefund } from "./submit";

describe("sendAbnormalApplication against the simulator", () => {
  let t: TestDatabase;
  let sim: SimulatedMerchant;
  let context: RequestContext;
  let approver: { merchantId: string; actor: AuditActor; userId: string };

  beforeAll(async () => {
    t = await createTestDb();
    sim = await simulatedMerchant(t.db);
    const operator = await createUser(t.db, "operator");
    const person = await createUser(t.db, "approver");
    context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    approver = { merchantId: sim.merchant.id, actor: { id: person.id, label: person.email }, userId: person.id };
  });
  afterAll(async () => {
    await sim.close();
    await t.drop();
  });

  const resolver =
    (actorId: string | null = null) =>
    async () =>
      ok(
        recorded(
          t.db,
          { merchantId: sim.merchant.id, actorId, apiVersion: "v3", secrets: [sim.credentials.apiV3Key] },
          sim.gateway,
        ),
      );

  /** A refund the simulator makes ABNORMAL, as the console learns it: accepted, then ABNORMAL by query. */
  async function abnormalRefund() {
    const refund = await sim.pendingRefund(context, 400, "card cancelled");
    await sim.harness.control.script({ outRefundNo: refund.outRefundNo, status: "ABNORMAL", delayMs: 10 });
    expect(await submitRefund(t.db, resolver(), refund.id)).toEqual({ kind: "settled", status: "PROCESSING" });
    await sim.harness.clock.advance(10);
    await reconcileRefund(t.db, resolver(), refund.id, 0);
    return refund;
  }
  const stateOf = async (id: number) => {
    const [refund] = await t.db.select().from(refunds).where(eq(refunds.id, id));
    const events = await t.db
      .select()
      .from(refundEvents)
      .where(eq(refundEvents.refundId, id))
      .orderBy(asc(refundEvents.id));
    return { refund: refund!, events };
  };
  const application = (outRefundNo: string) =>
    abnormalApplicationSchema.parse({
      outRefundNo,
      type: "USER_BANK_CARD",
      bankType: "ICBC_DEBIT",
      bankAccount: "6214 8309 0123 4567",
      realName: "张三",
    });

  const card = (outRefundNo: string) => application(outRefundNo) as BankCardApplicationInput;

  it("sends an ABNORMAL refund to the payer's bank card: PROCESSING, then SUCCESS, with events, audit and evidence", async () => {
    const refund = await abnormalRefund();
    expect((await stateOf(refund.id)).refund.status).toBe("ABNORMAL");

    const applied = await sendAbnormalApplication(
      t.db,
      resolver(approver.userId),
      application(refund.outRefundNo),
      approver,
    );
    expect(applied).toMatchObject({
      ok: true,
      value: {
        status: "PROCESSING",
        channel: "OTHER_BANKCARD",
        userReceivedAccount: "用户银行卡4567",
        submittingUntil: null,
      },
    });

    await sim.harness.clock.advance(3000);
    expect(await reconcileRefund(t.db, resolver(), refund.id, 0)).toEqual({ kind: "final" });
    const { refund: after, events } = await stateOf(refund.id);
    expect(after).toMatchObject({ status: "SUCCESS", channel: "OTHER_BANKCARD" });
    expect(events.map((e) => e.type)).toEqual([
      "requested",
      "submitted",
      "accepted",
      "abnormal",
      "abnormal_applied",
      "abnormal_accepted",
      "succeeded",
    ]);
    const appliedEvent = events.find((e) => e.type === "abnormal_applied")!;
    expect(appliedEvent).toMatchObject({
      source: "operator",
      actorId: approver.userId,
      payload: { type: "USER_BANK_CARD", bankType: "ICBC_DEBIT", bankAccount: "************4567", realName: "*三" },
    });
    expect(events.find((e) => e.type === "abnormal_accepted")).toMatchObject({
      statusFrom: "ABNORMAL",
      statusTo: "PROCESSING",
    });

    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, "refund.abnormal_applied"));
    expect(audit).toMatchObject({
      actorId: approver.userId,
      targetId: refund.outRefundNo,
      details: { bankAccount: "************4567", before: { status: "ABNORMAL" } },
    });

    const exchanges = await t.db
      .select()
      .from(gatewayExchanges)
      .where(eq(gatewayExchanges.refundId, refund.id))
      .orderBy(asc(gatewayExchanges.id));
    expect(exchanges.map((e) => e.operation)).toEqual(["apply", "query", "abnormal", "query"]);
    const abnormal = exchanges[2]!;
    expect(abnormal).toMatchObject({
      actorId: approver.userId,
      path: `/v3/refund/domestic/refunds/${after.refundId}/apply-abnormal-refund`,
      request: {
        headers: { "wechatpay-serial": expect.any(String) },
        body: {
          type: "USER_BANK_CARD",
          bank_type: "ICBC_DEBIT",
          bank_account: "[encrypted]",
          real_name: "[encrypted]",
        },
      },
      responseStatus: 200,
    });
    const everything = JSON.stringify({ events, audit, exchanges });
    expect(everything).not.toContain("6214830901234567");
    expect(everything).not.toContain("张三");
  });

  it("sends the money to the merchant's bank account without any payer details", async () => {
    const refund = await abnormalRefund();
    const applied = await sendAbnormalApplication(
      t.db,
      resolver(approver.userId),
      abnormalApplicationSchema.parse({ outRefundNo: refund.outRefundNo, type: "MERCHANT_BANK_CARD" }),
      approver,
    );
    expect(applied).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
  });

  it("refuses a refund that is not ABNORMAL, and an APIv2 merchant's, without calling WeChat", async () => {
    const order = await sim.paidOrder(1000);
    const requested = await requestRefund(
      t.db,
      { merchantId: order.merchantId, orderId: order.id, amountFen: 100, reason: "fine" },
      context,
    );
    if (!requested.ok) throw new Error(requested.error.code);
    const pending = await sendAbnormalApplication(t.db, resolver(), application(requested.value.outRefundNo), approver);
    expect(pending).toMatchObject({ ok: false, error: { code: "NOT_ABNORMAL" } });

    const refund = await abnormalRefund();
    await t.db.update(merchants).set({ apiVersion: "v2" }).where(eq(merchants.id, sim.merchant.id));
    try {
      const v2 = await sendAbnormalApplication(t.db, resolver(), application(refund.outRefundNo), approver);
      expect(v2).toMatchObject({ ok: false, error: { code: "NOT_SUPPORTED" } });
    } finally {
      await t.db.update(merchants).set({ apiVersion: "v3" }).where(eq(merchants.id, sim.merchant.id));
    }
    const calls = await t.db.select().from(gatewayExchanges).where(eq(gatewayExchanges.operation, "abnormal"));
    expect(calls.map((c) => c.outRefundNo)).not.toContain(refund.outRefundNo);
    expect((await stateOf(refund.id)).events.map((e) => e.type)).not.toContain("abnormal_applied");
  });

  it("to the payer's card needs two approvers: one enters, another approves; neither alone sends anything", async () => {
    const key = randomBytes(32);
    const second = await createUser(t.db, "approver", "second-approver@example.com", sim.merchant.id);
    const secondApprover = {
      merchantId: sim.merchant.id,
      actor: { id: second.id, label: second.email },
      userId: second.id,
    };
    const refund = await abnormalRefund();
    const abnormalCalls = async () =>
      (await t.db.select().from(gatewayExchanges).where(eq(gatewayExchanges.operation, "abnormal"))).filter(
        (c) => c.outRefundNo === refund.outRefundNo,
      );

    const entered = await enterBankCardApplication(t.db, key, card(refund.outRefundNo), approver);
    expect(entered).toMatchObject({
      ok: true,
      value: { status: "AWAITING_APPROVAL", maskedAccount: "************4567", enteredBy: approver.userId },
    });
    const applicationId = entered.ok ? entered.value.id : 0;
    // Kept sealed, never in clear; nothing went to WeChat, and a second entry waits for this one.
    expect(JSON.stringify(await t.db.select().from(bankCardApplications))).not.toContain("6214830901234567");
    expect(await abnormalCalls()).toEqual([]);
    expect((await stateOf(refund.id)).refund.status).toBe("ABNORMAL");
    expect(await enterBankCardApplication(t.db, key, card(refund.outRefundNo), secondApprover)).toMatchObject({
      ok: false,
      error: { code: "ALREADY_ENTERED" },
    });
    // The one who entered the card cannot approve it.
    const self = await decideBankCardApplication(t.db, resolver(), key, { applicationId, approve: true }, approver);
    expect(self).toMatchObject({ ok: false, error: { code: "SELF_APPROVAL" } });
    expect(await abnormalCalls()).toEqual([]);

    const approved = await decideBankCardApplication(
      t.db,
      resolver(second.id),
      key,
      { applicationId, approve: true },
      secondApprover,
    );
    expect(approved).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
    expect(await abnormalCalls()).toHaveLength(1);
    const [row] = await t.db.select().from(bankCardApplications).where(eq(bankCardApplications.id, applicationId));
    expect(row).toMatchObject({ status: "SENT", decidedBy: second.id, cardSealed: null });
    const types = (await stateOf(refund.id)).events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(["abnormal_card_entered", "abnormal_card_approved", "abnormal_applied"]),
    );
  });

  it("a rejected card application sends nothing and keeps no card", async () => {
    const key = randomBytes(32);
    const other = await createUser(t.db, "approver", "rejecting-approver@example.com", sim.merchant.id);
    const refund = await abnormalRefund();
    const entered = await enterBankCardApplication(t.db, key, card(refund.outRefundNo), approver);
    const applicationId = entered.ok ? entered.value.id : 0;
    const rejecter = { merchantId: sim.merchant.id, actor: { id: other.id, label: other.email }, userId: other.id };
    const choice = { applicationId, approve: false, note: "name does not match the order" };
    expect(await decideBankCardApplication(t.db, resolver(), key, choice, rejecter)).toEqual({ ok: true, value: null });
    const [row] = await t.db.select().from(bankCardApplications).where(eq(bankCardApplications.id, applicationId));
    expect(row).toMatchObject({ status: "REJECTED", cardSealed: null, note: "name does not match the order" });
    expect((await stateOf(refund.id)).refund.status).toBe("ABNORMAL");
    // Decided once: a second decision finds nothing waiting.
    expect(await decideBankCardApplication(t.db, resolver(), key, choice, rejecter)).toMatchObject({
      ok: false,
      error: { code: "APPLICATION_NOT_FOUND" },
    });
  });

  it("an approved card whose sending was cut short does not block the refund for good", async () => {
    const key = randomBytes(32);
    const refund = await abnormalRefund();
    const entered = await enterBankCardApplication(t.db, key, card(refund.outRefundNo), approver);
    const applicationId = entered.ok ? entered.value.id : 0;
    // As if the process died between the approval and WeChat's answer, six minutes ago.
    await t.db
      .update(bankCardApplications)
      .set({ status: "APPROVED", decidedAt: new Date(Date.now() - 6 * 60_000) })
      .where(eq(bankCardApplications.id, applicationId));
    const again = await enterBankCardApplication(t.db, key, card(refund.outRefundNo), approver);
    expect(again).toMatchObject({ ok: true, value: { status: "AWAITING_APPROVAL" } });
    const [cut] = await t.db.select().from(bankCardApplications).where(eq(bankCardApplications.id, applicationId));
    expect(cut).toMatchObject({ status: "FAILED", resultCode: "INTERRUPTED", cardSealed: null });
  });

  it("an approved card left unsent is ended for every refund: card cleared, the timeline says so, a recent one kept", async () => {
    const key = randomBytes(32);
    const [cutShort, sending] = [await abnormalRefund(), await abnormalRefund()];
    const approvedAgo = async (outRefundNo: string, minutes: number) => {
      const entered = await enterBankCardApplication(t.db, key, card(outRefundNo), approver);
      if (!entered.ok) throw new Error(entered.error.code);
      await t.db
        .update(bankCardApplications)
        .set({ status: "APPROVED", decidedAt: new Date(Date.now() - minutes * 60_000) })
        .where(eq(bankCardApplications.id, entered.value.id));
      return entered.value.id;
    };
    const cutShortId = await approvedAgo(cutShort.outRefundNo, 6);
    // Approved a minute ago: its answer from WeChat may still be on its way.
    const sendingId = await approvedAgo(sending.outRefundNo, 1);

    expect(await t.db.transaction((tx) => endInterruptedApplications(tx, new Date()))).toBe(1);

    const rows = await t.db.select().from(bankCardApplications);
    expect(rows.find((r) => r.id === cutShortId)).toMatchObject({
      status: "FAILED",
      resultCode: "INTERRUPTED",
      cardSealed: null,
    });
    expect(rows.find((r) => r.id === sendingId)).toMatchObject({ status: "APPROVED", cardSealed: expect.any(String) });
    const timeline = (await stateOf(cutShort.id)).events.map((e) => [e.type, e.source, e.payload]);
    expect(timeline.at(-1)).toEqual(["abnormal_card_interrupted", "system", { application: cutShortId }]);
    expect((await stateOf(sending.id)).events.map((e) => e.type)).not.toContain("abnormal_card_interrupted");
    // The refund is still ABNORMAL, and a card can be entered for it again.
    expect((await stateOf(cutShort.id)).refund.status).toBe("ABNORMAL");
    const again = await enterBankCardApplication(t.db, key, card(cutShort.outRefundNo), approver);
    expect(again).toMatchObject({ ok: true, value: { status: "AWAITING_APPROVAL" } });
  });

  it("reads card numbers typed in groups and refuses bank details that cannot be right", () => {
    expect(application("R1")).toMatchObject({ bankAccount: "6214830901234567" });
    for (const bad of [
      {
        outRefundNo: "R1",
        type: "USER_BANK_CARD",
        bankType: "ICBC_DEBIT",
        bankAccount: "62148309012345x7",
        realName: "张三",
      },
      {
        outRefundNo: "R1",
        type: "USER_BANK_CARD",
        bankType: "NOT_A_BANK",
        bankAccount: "6214830901234567",
        realName: "张三",
      },
      {
        outRefundNo: "R1",
        type: "USER_BANK_CARD",
        bankType: "ICBC_DEBIT",
        bankAccount: "6214830901234567",
        realName: " ",
      },
      { outRefundNo: "R1", type: "SOMEWHERE_ELSE" },
    ]) {
      expect(abnormalApplicationSchema.safeParse(bad).success).toBe(false);
    }
  });
});
