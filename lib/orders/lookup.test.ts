import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { defaultMerchantId } from "../../tests/fixtures/orders";
import { ScriptedGateway } from "../../tests/fixtures/scripted-gateway";
import { auditLog, orders, refundEvents, refunds } from "../db/schema";
import { ok } from "../result";
import { requestRefund } from "../refunds/request";
import { lookUpPayment } from "./lookup";
import { recheckBeforeRefund } from "./recheck";

const HOUR = 3_600_000;
const actor = { id: null, label: "operator@example.com" };
let sequence = 0;

/** A payment WeChat holds and the console does not: the number on the payer's receipt. */
function payment(over: Partial<Parameters<ScriptedGateway["payments"]["set"]>[1]> = {}) {
  sequence += 1;
  const transactionId = `42000000002026120400000${String(sequence).padStart(5, "0")}`;
  return {
    outTradeNo: `SHOP${Date.now()}${sequence}`,
    transactionId,
    tradeState: "SUCCESS" as const,
    totalFen: 10_000,
    payerTotalFen: 9_000,
    currency: "CNY",
    payerOpenid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    successTime: "2026-12-03T10:34:56+08:00",
    attach: "table 7",
    ...over,
  };
}

describe("orders from WeChat Pay: look up, external refunds, re-check before a refund", () => {
  let t: TestDatabase;
  let merchantId: string;
  let gateway: ScriptedGateway;

  beforeAll(async () => {
    t = await createTestDb();
    merchantId = await defaultMerchantId(t.db);
  });
  afterAll(() => t.drop());
  beforeEach(() => {
    gateway = new ScriptedGateway();
  });

  it("imports a paid payment with its amounts, payer, time and attach, once, and audits the import", async () => {
    const paid = payment();
    gateway.payments.set(paid.transactionId, paid);
    const first = await lookUpPayment(t.db, gateway, { merchantId, number: ` ${paid.transactionId} ` }, { actor });
    expect(first).toMatchObject({ ok: true, value: { kind: "imported", created: true, externalRefunds: 0 } });
    const [order] = await t.db.select().from(orders).where(eq(orders.transactionId, paid.transactionId));
    expect(order).toMatchObject({
      merchantId,
      outTradeNo: paid.outTradeNo,
      totalFen: 10_000,
      payerTotalFen: 9_000,
      currency: "CNY",
      payerOpenid: paid.payerOpenid,
      paidAt: new Date("2026-12-03T02:34:56Z"),
      attach: "table 7",
      source: "wechat_query",
      refundedFen: 0,
    });
    expect(order?.checkedAt).toBeInstanceOf(Date);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "order.imported"));
    expect(audit).toMatchObject([
      { targetId: String(order!.id), merchantId, details: { transactionId: paid.transactionId } },
    ]);

    // Again, by either number: the console has it now, and WeChat is not asked.
    gateway.calls.length = 0;
    for (const number of [paid.transactionId, paid.outTradeNo]) {
      const again = await lookUpPayment(t.db, gateway, { merchantId, number }, { actor });
      expect(again).toMatchObject({ ok: true, value: { kind: "known", order: { id: order!.id } } });
    }
    expect(gateway.calls).toEqual([]);
    expect(await t.db.select().from(orders).where(eq(orders.transactionId, paid.transactionId))).toHaveLength(1);
  });

  it("two lookups racing import one order", async () => {
    const paid = payment();
    gateway.payments.set(paid.transactionId, paid);
    const both = await Promise.all(
      [1, 2].map(() => lookUpPayment(t.db, gateway, { merchantId, number: paid.transactionId }, { actor })),
    );
    expect(both.every((r) => r.ok && (r.value.kind === "imported" || r.value.kind === "known"))).toBe(true);
    expect(await t.db.select().from(orders).where(eq(orders.transactionId, paid.transactionId))).toHaveLength(1);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "order.imported"));
    expect(audits.filter((a) => a.details.transactionId === paid.transactionId)).toHaveLength(1);
  });

  it("shows an unpaid or unknown payment without importing it", async () => {
    const unpaid = payment({ tradeState: "CLOSED", tradeStateDesc: "已关闭" });
    gateway.payments.set(unpaid.transactionId, unpaid);
    expect(await lookUpPayment(t.db, gateway, { merchantId, number: unpaid.outTradeNo }, { actor })).toEqual(
      ok({
        kind: "unpaid",
        outTradeNo: unpaid.outTradeNo,
        tradeState: "CLOSED",
        tradeStateDesc: "已关闭",
        totalFen: 10_000,
      }),
    );
    // A 28-digit number is tried as WeChat's transaction_id, then as the shop's number.
    const unknown = "4200000000202612049999999999";
    expect(await lookUpPayment(t.db, gateway, { merchantId, number: unknown }, { actor })).toEqual(
      ok({ kind: "not_found" }),
    );
    expect(gateway.calls.slice(-2)).toEqual([`queryTransaction ${unknown}`, `queryTransaction ${unknown}`]);
    expect(await t.db.select().from(orders).where(eq(orders.outTradeNo, unpaid.outTradeNo))).toEqual([]);
    expect(await lookUpPayment(t.db, gateway, { merchantId, number: "no such/../number" }, { actor })).toMatchObject({
      ok: false,
      error: { code: "QUERY_INVALID" },
    });
  });

  it("records refunds made in the merchant platform as external refunds: in the sums and on the timeline, once", async () => {
    const paid = payment({ tradeState: "REFUND" });
    gateway.payments.set(paid.transactionId, paid);
    gateway.platformRefunds.set(paid.transactionId, [
      {
        outRefundNo: `MP${sequence}a`,
        refundId: `50300000${sequence}01`,
        amountFen: 3_000,
        status: "SUCCESS",
        successTime: "2026-12-03T12:00:00+08:00",
      },
      { outRefundNo: `MP${sequence}b`, refundId: `50300000${sequence}02`, amountFen: 500, status: "PROCESSING" },
    ]);
    const imported = await lookUpPayment(t.db, gateway, { merchantId, number: paid.transactionId }, { actor });
    expect(imported).toMatchObject({ ok: true, value: { kind: "imported", externalRefunds: 2 } });
    const order = imported.ok && imported.value.kind === "imported" ? imported.value.order : undefined;
    expect(order).toMatchObject({ refundedFen: 3_000, inFlightFen: 500, refundCount: 2 });
    const rows = await t.db.select().from(refunds).where(eq(refunds.orderId, order!.id));
    expect(rows.map((r) => [r.origin, r.status, r.amountFen, r.requestedBy])).toEqual([
      ["external", "SUCCESS", 3_000, null],
      ["external", "PROCESSING", 500, null],
    ]);
    const events = await t.db.select().from(refundEvents).where(eq(refundEvents.refundId, rows[0]!.id));
    expect(events).toMatchObject([{ type: "external_refund_found", source: "gateway", statusTo: "SUCCESS" }]);

    // Seen again after the processing one succeeded: it moves on, nothing is counted twice.
    gateway.platformRefunds.get(paid.transactionId)![1]!.status = "SUCCESS";
    const later = new Date(Date.now() + HOUR);
    expect(
      await recheckBeforeRefund(
        t.db,
        async () => ok(gateway),
        { merchantId, orderId: order!.id },
        { maxAgeMs: 60_000, now: later },
      ),
    ).toBe("checked");
    const [after] = await t.db.select().from(orders).where(eq(orders.id, order!.id));
    expect(after).toMatchObject({ refundedFen: 3_500, inFlightFen: 0, refundCount: 2 });
    expect(await t.db.select().from(refunds).where(eq(refunds.orderId, order!.id))).toHaveLength(2);
  });

  it("re-checks a stale imported order before a refund, so one beyond the true remaining is refused before WeChat", async () => {
    const paid = payment();
    gateway.payments.set(paid.transactionId, paid);
    const imported = await lookUpPayment(t.db, gateway, { merchantId, number: paid.transactionId }, { actor });
    const orderId = imported.ok && imported.value.kind === "imported" ? imported.value.order.id : 0;
    // Meanwhile staff refund ¥80 in the merchant platform.
    gateway.platformRefunds.set(paid.transactionId, [
      { outRefundNo: `MP${sequence}x`, refundId: `50300000${sequence}09`, amountFen: 8_000, status: "SUCCESS" },
    ]);
    const resolver = async () => ok(gateway);
    const recheck = (now: Date) =>
      recheckBeforeRefund(t.db, resolver, { merchantId, orderId }, { maxAgeMs: 300_000, now });

    // Checked a moment ago: not asked again.
    gateway.calls.length = 0;
    expect(await recheck(new Date())).toBe("fresh");
    expect(gateway.calls).toEqual([]);

    // Ten minutes later the data is stale: WeChat is asked, the ¥80 refund recorded, and ¥50 is more than remains.
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await recheck(later)).toBe("checked");
    const refused = await requestRefund(
      t.db,
      { merchantId, orderId, amountFen: 5_000, reason: "破损 damaged" },
      { actor, userId: null, orderIntervalMs: 0, now: later },
    );
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: "AMOUNT_EXCEEDS_REMAINING",
        message: {
          key: "outcomes.refunds.policy.AMOUNT_EXCEEDS_REMAINING",
          values: { amount: "¥50.00", remaining: "¥20.00" },
        },
      },
    });
    expect(gateway.calls.filter((c) => c.startsWith("apply"))).toEqual([]);
    const [order] = await t.db.select().from(orders).where(eq(orders.id, orderId));
    expect(order).toMatchObject({ refundedFen: 8_000, inFlightFen: 0, refundCount: 1 });
  });

  it("leaves shop orders alone, and goes on when WeChat cannot be asked", async () => {
    const paid = payment();
    gateway.payments.set(paid.transactionId, paid);
    const imported = await lookUpPayment(t.db, gateway, { merchantId, number: paid.transactionId }, { actor });
    const orderId = imported.ok && imported.value.kind === "imported" ? imported.value.order.id : 0;
    gateway.payments.clear();
    gateway.listsRefunds = false; // APIv3: no refund list; the payment itself is confirmed
    const later = new Date(Date.now() + HOUR);
    expect(
      await recheckBeforeRefund(t.db, async () => ok(gateway), { merchantId, orderId }, { maxAgeMs: 0, now: later }),
    ).toBe("unavailable");
    const [shopOrder] = await t.db
      .insert(orders)
      .values({
        merchantId,
        outTradeNo: `S${Date.now()}`,
        transactionId: "4200000000202612040000099999",
        totalFen: 100,
        paidAt: new Date(),
      })
      .returning();
    expect(
      await recheckBeforeRefund(
        t.db,
        async () => ok(gateway),
        { merchantId, orderId: shopOrder!.id },
        { maxAgeMs: 0, now: later },
      ),
    ).toBe("not_imported");
  });

  it("says when WeChat reports refunds the protocol cannot list (APIv3)", async () => {
    gateway.listsRefunds = false;
    const paid = payment({ tradeState: "REFUND" });
    gateway.payments.set(paid.transactionId, paid);
    const imported = await lookUpPayment(t.db, gateway, { merchantId, number: paid.outTradeNo }, { actor });
    expect(imported).toMatchObject({
      ok: true,
      value: { kind: "imported", refundsUnlisted: true, externalRefunds: 0 },
    });
  });
});
