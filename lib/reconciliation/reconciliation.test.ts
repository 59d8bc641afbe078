import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, addMerchant, v3Credentials, type Harness } from "../../simulator/test-support/harness";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { beijingDate } from "../beijing-time";
import {
  auditLog,
  billLines,
  merchants,
  orders,
  reconciliationMismatches,
  refunds,
  type Merchant,
  type RefundStatus,
} from "../db/schema";
import { ok } from "../result";
import { createBillSource } from "../wechatpay/bill-source";
import { createRefundGateway } from "../wechatpay/gateway";
import type { RefundGateway } from "../refunds/gateway";
import { sumRefunds } from "../refunds/status";
import { billDayBounds } from "./bill-date";
import { dueBillDays, listMismatches } from "./queries";
import { acceptBillValue, explainMismatch, queryWechatForMismatch } from "./resolve";
import { runReconciliation } from "./run";

const DAY = 86_400_000;
let t: TestDatabase;
let h: Harness;
let sim: Awaited<ReturnType<typeof addMerchant>>;
let merchant: Merchant;
let gateway: RefundGateway;
let resolveSource: Parameters<typeof runReconciliation>[1];
const resolveGateway = async () => ok(gateway);
let actor: { id: string; label: string };
let sequence = 0;

beforeAll(async () => {
  t = await createTestDb();
  h = await startHarness();
  sim = await addMerchant(h);
  [merchant] = (await t.db
    .insert(merchants)
    .values({ mchid: sim.mchid, appid: sim.appid, displayName: "Reconciled merchant" })
    .returning()) as [Merchant];
  const credentials = v3Credentials(h, sim, "public_key");
  const wired = createRefundGateway(credentials, "v3");
  if (!wired.ok) throw new Error(wired.error.detail);
  gateway = wired.value.gateway;
  const source = createBillSource({ merchant, credentials, gateway, keys: wired.value.keys });
  if (!source.ok) throw new Error(source.error.detail);
  resolveSource = async () => ok(source.value);
  const approver = await createUser(t.db, "approver");
  actor = { id: approver.id, label: approver.email };
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

/** A Beijing day `n` days before the simulator's today: each test reconciles days of its own. */
const day = (n: number) => beijingDate(new Date(h.clock.now() - n * DAY));
const noonOf = (billDate: string) => new Date(billDayBounds(billDate).from.getTime() + 12 * 3_600_000);

/** A paid order in both worlds: the console's database and the simulator. */
async function order(totalFen = 10_000) {
  sequence += 1;
  const outTradeNo = `TR${Date.now()}${sequence}`;
  const transactionId = `42000${Date.now()}${String(sequence).padStart(5, "0")}`;
  const paidAt = new Date(h.clock.now() - 30 * DAY);
  const row = await createPaidOrder(t.db, { merchantId: merchant.id, outTradeNo, transactionId, totalFen, paidAt });
  await h.control.addTransactions(sim.mchid, [{ outTradeNo, transactionId, totalFen, paidAt: paidAt.getTime() }]);
  return row;
}

/** A paid order WeChat has and the console does not (the shop never reported it). */
async function simulatorOnlyOrder(totalFen = 10_000) {
  sequence += 1;
  const outTradeNo = `TS${Date.now()}${sequence}`;
  const transactionId = `42001${Date.now()}${String(sequence).padStart(5, "0")}`;
  const paidAt = h.clock.now() - 30 * DAY;
  await h.control.addTransactions(sim.mchid, [{ outTradeNo, transactionId, totalFen, paidAt }]);
  return { outTradeNo, transactionId };
}

/** A refund as the console records it (order sums kept right), and optionally as WeChat holds it. */
async function refund(
  billDate: string,
  consoleStatus: RefundStatus,
  wechat: { status: "SUCCESS" | "PROCESSING" | "CLOSED" } | null,
  amountFen = 1234,
) {
  const o = await order();
  sequence += 1;
  const outRefundNo = `RR${Date.now()}${sequence}`;
  const at = noonOf(billDate);
  const [row] = await t.db
    .insert(refunds)
    .values({
      orderId: o.id,
      merchantId: merchant.id,
      outRefundNo,
      amountFen,
      status: consoleStatus,
      refundId: `5030${sequence}`,
      finishedAt: consoleStatus === "SUCCESS" ? at : null,
      createdAt: at,
    })
    .returning();
  await t.db
    .update(orders)
    .set(sumRefunds([{ status: consoleStatus, amountFen }]))
    .where(eq(orders.id, o.id));
  if (wechat) {
    await h.control.importRefunds(sim.mchid, [
      {
        outRefundNo,
        outTradeNo: o.outTradeNo,
        refundId: `5030${sequence}`,
        refundFen: amountFen,
        status: wechat.status,
        createTime: at.getTime(),
        successTime: at.getTime(),
      },
    ]);
  }
  return { ...row!, outTradeNo: o.outTradeNo };
}

const run = (billDate: string) => runReconciliation(t.db, resolveSource, { merchantId: merchant.id, billDate, actor });
const mismatchesOf = async (billDayId: number) => listMismatches(t.db, merchant.id, { billDayId });
const consoleStatus = async (id: number) => (await t.db.select().from(refunds).where(eq(refunds.id, id)))[0]!;

describe("daily reconciliation against the simulator's refund bill", () => {
  it("a clean day reconciles with zero mismatches and keeps the bill lines as evidence", async () => {
    const billDate = day(1);
    const a = await refund(billDate, "SUCCESS", { status: "SUCCESS" });
    const b = await refund(billDate, "SUCCESS", { status: "SUCCESS" }, 99);
    const outcome = await run(billDate);
    expect(outcome.day).toMatchObject({
      status: "MATCHED",
      lineCount: 2,
      hashType: "SHA1",
      consoleTotals: { lineCount: 2, refundFen: 1333 },
      billTotals: { lineCount: 2, refundFen: 1333 },
    });
    expect(outcome).toMatchObject({ opened: 0, open: 0 });
    const lines = await t.db.select().from(billLines).where(eq(billLines.billDayId, outcome.day.id));
    expect(lines.map((l) => l.outRefundNo).sort()).toEqual([a.outRefundNo, b.outRefundNo].sort());
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "reconciliation.run"), eq(auditLog.targetId, String(outcome.day.id))));
    expect(audit[0]?.details).toMatchObject({ billDate, after: { status: "MATCHED" } });
  });

  it("detects every kind of mismatch, and each can be resolved until the day is matched", async () => {
    const billDate = day(2);
    const omitted = await refund(billDate, "SUCCESS", { status: "SUCCESS" });
    const stillProcessing = await refund(billDate, "PROCESSING", { status: "SUCCESS" });
    const toAccept = await refund(billDate, "PROCESSING", { status: "SUCCESS" });
    const closedHere = await refund(billDate, "CLOSED", { status: "SUCCESS" });
    const otherAmounts = await refund(billDate, "SUCCESS", { status: "SUCCESS" });
    // Of an order the console does not have: its refund made in the merchant platform cannot be recorded anywhere.
    const byHand = await simulatorOnlyOrder();
    const [manual] = (
      await h.control.importRefunds(
        sim.mchid,
        [{ outTradeNo: byHand.outTradeNo, refundFen: 500, createTime: noonOf(billDate).getTime() }],
        "merchant_platform",
      )
    ).refunds;
    await h.control.adjustBill({ kind: "omit", mchid: sim.mchid, billDate, outRefundNo: omitted.outRefundNo });
    await h.control.adjustBill({
      kind: "change",
      mchid: sim.mchid,
      billDate,
      outRefundNo: otherAmounts.outRefundNo,
      settlementRefundFen: 1000,
      couponRefundFen: 234,
    });

    const outcome = await run(billDate);
    expect(outcome.day.status).toBe("MISMATCHED");
    const found = await mismatchesOf(outcome.day.id);
    const kindOf = (no: string) => found.filter((m) => m.outRefundNo === no).map((m) => m.kind);
    expect(kindOf(omitted.outRefundNo)).toEqual(["MISSING_FROM_BILL"]);
    expect(kindOf(stillProcessing.outRefundNo)).toEqual(["NOT_SUCCESS_IN_CONSOLE"]);
    expect(kindOf(closedHere.outRefundNo)).toEqual(["NOT_SUCCESS_IN_CONSOLE"]);
    expect(kindOf(otherAmounts.outRefundNo)).toEqual(["AMOUNT_DIFFERS"]);
    expect(kindOf(manual!.outRefundNo)).toEqual(["UNKNOWN_TO_CONSOLE"]);
    expect(found.find((m) => m.kind === "AMOUNT_DIFFERS")).toMatchObject({
      consoleValue: {
        settlementRefundFen: 1234,
        couponRefundFen: 0,
        differing: ["settlementRefundFen", "couponRefundFen"],
      },
      billValue: { settlementRefundFen: 1000, couponRefundFen: 234 },
    });
    const id = (no: string) => found.find((m) => m.outRefundNo === no)!.id;
    const context = { merchantId: merchant.id, actor };

    // Query WeChat now: the refund the console still thinks processing succeeded, through the report path.
    expect(await queryWechatForMismatch(t.db, resolveGateway, id(stillProcessing.outRefundNo), context)).toEqual(
      ok({ resolved: true, wechatStatus: "SUCCESS" }),
    );
    expect(await consoleStatus(stillProcessing.id)).toMatchObject({ status: "SUCCESS" });
    // Query WeChat now: WeChat confirms the success the bill left out.
    expect(await queryWechatForMismatch(t.db, resolveGateway, id(omitted.outRefundNo), context)).toEqual(
      ok({ resolved: true, wechatStatus: "SUCCESS" }),
    );
    // Accept WeChat's value: SUCCESS as the bill says, at the bill's time.
    expect(await acceptBillValue(t.db, id(toAccept.outRefundNo), context)).toEqual(ok({ resolved: true }));
    expect(await consoleStatus(toAccept.id)).toMatchObject({ status: "SUCCESS", finishedAt: noonOf(billDate) });
    const [acceptedOrder] = await t.db.select().from(orders).where(eq(orders.outTradeNo, toAccept.outTradeNo));
    expect(acceptedOrder).toMatchObject({ refundedFen: 1234, inFlightFen: 0 });
    // A closed refund never becomes successful by acceptance: it needs a person's explanation.
    expect(await acceptBillValue(t.db, id(closedHere.outRefundNo), context)).toMatchObject({
      ok: false,
      error: { code: "CANNOT_ACCEPT" },
    });
    expect(await explainMismatch(t.db, id(closedHere.outRefundNo), "  ", context)).toMatchObject({
      ok: false,
      error: { code: "NOTE_REQUIRED" },
    });
    expect(
      await explainMismatch(
        t.db,
        id(closedHere.outRefundNo),
        "Closed by mistake at WeChat's support; ticket 123",
        context,
      ),
    ).toEqual(ok({ resolved: true }));
    // Amount differences are accepted as WeChat's values without moving money.
    expect(await acceptBillValue(t.db, id(otherAmounts.outRefundNo), context)).toEqual(ok({ resolved: true }));
    expect(await consoleStatus(otherAmounts.id)).toMatchObject({ status: "SUCCESS", amountFen: 1234 });
    // A refund made by hand in the merchant platform: WeChat knows it, the console cannot: explained.
    expect(await queryWechatForMismatch(t.db, resolveGateway, id(manual!.outRefundNo), context)).toEqual(
      ok({ resolved: false, wechatStatus: "SUCCESS" }),
    );
    expect(await acceptBillValue(t.db, id(manual!.outRefundNo), context)).toMatchObject({
      ok: false,
      error: { code: "NOTHING_TO_ACCEPT" },
    });
    expect(
      await explainMismatch(
        t.db,
        id(manual!.outRefundNo),
        "Refunded by the shop manager in the merchant platform",
        context,
      ),
    ).toEqual(ok({ resolved: true }));

    const after = await mismatchesOf(outcome.day.id);
    expect(after.every((m) => m.status === "RESOLVED")).toBe(true);
    expect(after.map((m) => m.resolution).sort()).toEqual([
      "accepted_bill",
      "accepted_bill",
      "explained",
      "explained",
      "queried",
      "queried",
    ]);
    expect((await run(billDate)).day.status).toBe("MATCHED"); // the differences that remain stay resolved on a re-run
    const resolvedAudit = await t.db.select().from(auditLog).where(eq(auditLog.action, "reconciliation.resolved"));
    expect(resolvedAudit).toHaveLength(6);
    expect(await explainMismatch(t.db, id(manual!.outRefundNo), "again", context)).toMatchObject({
      ok: false,
      error: { code: "MISMATCH_NOT_OPEN" },
    });
  });

  it("a refund made in the merchant platform of an order the console has becomes its external refund, once", async () => {
    const billDate = day(7);
    const o = await order(5_000);
    const [made] = (
      await h.control.importRefunds(
        sim.mchid,
        [{ outTradeNo: o.outTradeNo, refundFen: 1_200, createTime: noonOf(billDate).getTime() }],
        "merchant_platform",
      )
    ).refunds;
    for (const _rerun of [1, 2]) {
      const outcome = await run(billDate);
      expect(outcome.day.status).toBe("MATCHED");
      expect(await mismatchesOf(outcome.day.id)).toEqual([]);
    }
    const recorded = await t.db.select().from(refunds).where(eq(refunds.orderId, o.id));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      outRefundNo: made!.outRefundNo,
      refundId: made!.refundId,
      origin: "external",
      status: "SUCCESS",
      amountFen: 1_200,
      requestedBy: null,
    });
    const [sums] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    expect(sums).toMatchObject({ refundedFen: 1_200, inFlightFen: 0, refundCount: 1 });
  });

  it("a re-run closes a mismatch the console has caught up with", async () => {
    const billDate = day(3);
    const late = await refund(billDate, "PROCESSING", { status: "SUCCESS" });
    const first = await run(billDate);
    expect(first).toMatchObject({ opened: 1, open: 1 });
    await t.db
      .update(refunds)
      .set({ status: "SUCCESS", finishedAt: noonOf(billDate) })
      .where(eq(refunds.id, late.id));
    const second = await run(billDate);
    expect(second).toMatchObject({ opened: 0, open: 0, day: { status: "MATCHED" } });
    const [m] = await t.db
      .select()
      .from(reconciliationMismatches)
      .where(eq(reconciliationMismatches.outRefundNo, late.outRefundNo));
    expect(m).toMatchObject({ status: "RESOLVED", resolution: "rerun" });
  });

  it("refuses a bill whose hash does not match, keeps nothing of it, and tries again later", async () => {
    const billDate = day(4);
    await refund(billDate, "SUCCESS", { status: "SUCCESS" });
    await h.control.adjustBill({ kind: "corrupt_hash", mchid: sim.mchid, billDate });
    const outcome = await run(billDate);
    expect(outcome.day).toMatchObject({
      status: "ERROR",
      lastErrorCode: "BILL_HASH_MISMATCH",
      lineCount: null,
      attempts: 1,
    });
    expect(outcome.day.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await t.db.select().from(billLines).where(eq(billLines.billDayId, outcome.day.id))).toEqual([]);
  });

  it("shows a missing bill as missing, retries it later with back-off, and reconciles it once WeChat has it", async () => {
    const billDate = day(5);
    await refund(billDate, "SUCCESS", { status: "SUCCESS" });
    await h.control.adjustBill({ kind: "missing", mchid: sim.mchid, billDate });
    const first = await run(billDate);
    expect(first.day).toMatchObject({ status: "MISSING", lastErrorCode: "STATEMENT_CREATING", attempts: 1 });
    const retryAt = first.day.nextAttemptAt!;
    expect(retryAt.getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(await dueBillDays(t.db, new Date())).not.toContainEqual({ merchantId: merchant.id, billDate });
    expect(await dueBillDays(t.db, new Date(retryAt.getTime() + 1000))).toContainEqual({
      merchantId: merchant.id,
      billDate,
    });
    const second = await run(billDate);
    expect(second.day.nextAttemptAt!.getTime() - retryAt.getTime()).toBeGreaterThan(50 * 60_000); // 2 h after the second try
    await h.control.clearBillAdjustments();
    expect((await run(billDate)).day).toMatchObject({
      status: "MATCHED",
      nextAttemptAt: null,
      lastErrorCode: null,
      attempts: 3,
    });
  });

  it("a day without refunds on either side has no bill and reconciles as matched", async () => {
    expect((await run(day(20))).day).toMatchObject({ status: "MATCHED", lineCount: 0 });
  });
});
