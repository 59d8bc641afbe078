import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { addMerchant, startHarness, v3Credentials, type Harness } from "../../simulator/test-support/harness";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { SYSTEM_ACTOR } from "../audit/append";
import { beijingDate } from "../beijing-time";
import { auditLog, merchants, orderImportDays, orders, type Merchant } from "../db/schema";
import { previousBillDate } from "../reconciliation/bill-date";
import { ok } from "../result";
import { createBillSource } from "../wechatpay/bill-source";
import { createRefundGateway } from "../wechatpay/gateway";
import { requestBackfill, runBackfill } from "./backfill";
import { importTradeBillDay } from "./bill-import";

const DAY = 86_400_000;
let t: TestDatabase;
let h: Harness;
let sim: Awaited<ReturnType<typeof addMerchant>>;
let merchant: Merchant;
let resolveSource: Parameters<typeof importTradeBillDay>[1];

beforeAll(async () => {
  t = await createTestDb();
  h = await startHarness();
  sim = await addMerchant(h);
  [merchant] = (await t.db
    .insert(merchants)
    .values({ mchid: sim.mchid, appid: sim.appid, displayName: "Imported merchant" })
    .returning()) as [Merchant];
  const credentials = v3Credentials(h, sim, "public_key");
  const wired = createRefundGateway(credentials, "v3");
  if (!wired.ok) throw new Error(wired.error.detail);
  const source = createBillSource({ merchant, credentials, gateway: wired.value.gateway, keys: wired.value.keys });
  if (!source.ok) throw new Error(source.error.detail);
  resolveSource = async () => ok(source.value);
});
afterAll(async () => {
  vi.useRealTimers();
  await h.close();
  await t.drop();
});

const merchantOrders = () =>
  t.db
    .select()
    .from(orders)
    .where(eq(orders.merchantId, merchant.id))
    .orderBy(orders.outTradeNo)
    .then((rows) => rows.map(({ createdAt: _created, ...rest }) => rest));

/**
 * Moves the clock to 10:30 Beijing time of the next day, when the daily job runs: the simulator's, and the console's
 * (its client checks the answers' timestamps against its own time).
 */
async function nextMorning(): Promise<Date> {
  const tomorrow = beijingDate(new Date(h.clock.now() + DAY));
  await h.clock.advance(Date.parse(`${tomorrow}T10:30:00+08:00`) - h.clock.now());
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(h.clock.now());
  return new Date(h.clock.now());
}

describe("the daily ALL bill import", () => {
  it("imports the day's payments the next morning exactly once, and leaves orders the merchant had alone", async () => {
    const now = h.clock.now();
    const today = beijingDate(new Date(now));
    const earlier = beijingDate(new Date(now - 5 * DAY));
    // Paid today at WeChat Pay: two payments; one of them the shop also recorded through the API, its own way.
    await h.control.addTransactions(sim.mchid, [
      { outTradeNo: "D1", transactionId: "4200000000202612010000000001", totalFen: 1999, paidAt: now - 60_000 },
      { outTradeNo: "D2", transactionId: "4200000000202612010000000002", totalFen: 500, paidAt: now - 30_000 },
      { outTradeNo: "OLD", transactionId: "4200000000202611260000000003", totalFen: 8800, paidAt: now - 5 * DAY },
    ]);
    await createPaidOrder(t.db, {
      merchantId: merchant.id,
      outTradeNo: "D2",
      transactionId: "4200000000202612010000000002",
      totalFen: 500,
      description: "from the shop",
      paidAt: new Date(now - 30_000),
    });
    // Refunded today by hand in the merchant platform: a payment of five days ago the console does not know.
    await h.control.importRefunds(sim.mchid, [
      { outRefundNo: "BYHAND", outTradeNo: "OLD", refundFen: 800, status: "SUCCESS", createTime: now },
    ]);

    const morning = await nextMorning();
    expect(previousBillDate(morning)).toBe(today);
    const first = await importTradeBillDay(t.db, resolveSource, {
      merchantId: merchant.id,
      billDate: previousBillDate(morning),
      actor: SYSTEM_ACTOR,
      now: morning,
    });
    expect(first.day).toMatchObject({ status: "IMPORTED", lineCount: 3, paymentCount: 3, importedCount: 2 });
    expect(first.day.hashType).toBe("SHA1");
    const afterFirst = await merchantOrders();
    expect(afterFirst.map((o) => [o.outTradeNo, o.totalFen, o.description, o.paidAtEstimated])).toEqual([
      ["D1", 1999, "", false],
      ["D2", 500, "from the shop", false],
      ["OLD", 8800, "", true],
    ]);
    expect(afterFirst[0]).toMatchObject({
      transactionId: "4200000000202612010000000001",
      payerOpenid: expect.any(String),
      paidAt: new Date(Math.floor((now - 60_000) / 1000) * 1000),
      refundedFen: 0,
    });

    const second = await importTradeBillDay(t.db, resolveSource, {
      merchantId: merchant.id,
      billDate: previousBillDate(morning),
      actor: SYSTEM_ACTOR,
      now: morning,
    });
    expect(second).toMatchObject({ imported: 0, day: { status: "IMPORTED", attempts: 2, importedCount: 0 } });
    expect(await merchantOrders()).toEqual(afterFirst);
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "orders.bill_import"), eq(auditLog.merchantId, merchant.id)));
    expect(audits).toHaveLength(2);

    // A backfill of the day the old payment was made brings its own line: paid_at is corrected, nothing duplicated.
    const backfill = await requestBackfill(t.db, {
      merchantId: merchant.id,
      fromDate: earlier,
      toDate: beijingDate(new Date(now - 4 * DAY)),
      actor: SYSTEM_ACTOR,
      now: morning,
    });
    if (!backfill.ok) throw new Error(backfill.error.code);
    const done = await runBackfill(t.db, resolveSource, backfill.value.id, SYSTEM_ACTOR);
    expect(done).toMatchObject({ status: "DONE", daysTotal: 2, daysDone: 2, daysFailed: 0, rowsImported: 0 });
    const old = (await merchantOrders()).find((o) => o.outTradeNo === "OLD");
    expect(old).toMatchObject({ paidAtEstimated: false, paidAt: new Date(Math.floor((now - 5 * DAY) / 1000) * 1000) });
    expect(await merchantOrders()).toHaveLength(3);
  });

  it("imports nothing from a bill whose hash does not match, and keeps a day WeChat is still making for later", async () => {
    const now = h.clock.now();
    const tenDaysAgo = beijingDate(new Date(now - 10 * DAY));
    const elevenDaysAgo = beijingDate(new Date(now - 11 * DAY));
    await h.control.addTransactions(sim.mchid, [
      { outTradeNo: "H1", transactionId: "4200000000202612020000000009", totalFen: 100, paidAt: now - 10 * DAY },
    ]);
    await h.control.adjustBill({ kind: "corrupt_hash", mchid: sim.mchid, billDate: tenDaysAgo });
    await h.control.adjustBill({ kind: "missing", mchid: sim.mchid, billDate: elevenDaysAgo });
    const corrupt = await importTradeBillDay(t.db, resolveSource, {
      merchantId: merchant.id,
      billDate: tenDaysAgo,
      actor: SYSTEM_ACTOR,
    });
    expect(corrupt).toMatchObject({ imported: 0, day: { status: "ERROR", lastErrorCode: "BILL_HASH_MISMATCH" } });
    expect(corrupt.day.nextAttemptAt).not.toBeNull();
    expect((await merchantOrders()).map((o) => o.outTradeNo)).not.toContain("H1");
    const creating = await importTradeBillDay(t.db, resolveSource, {
      merchantId: merchant.id,
      billDate: elevenDaysAgo,
      actor: SYSTEM_ACTOR,
    });
    expect(creating.day).toMatchObject({ status: "MISSING", lastErrorCode: "STATEMENT_CREATING" });

    await h.control.clearBillAdjustments();
    const fixed = await importTradeBillDay(t.db, resolveSource, {
      merchantId: merchant.id,
      billDate: tenDaysAgo,
      actor: SYSTEM_ACTOR,
    });
    expect(fixed).toMatchObject({ imported: 1, day: { status: "IMPORTED", attempts: 2, lastErrorCode: null } });
    const days = await t.db.select().from(orderImportDays).where(eq(orderImportDays.merchantId, merchant.id));
    expect(days.length).toBeGreaterThanOrEqual(4);
  });

  it("refuses a backfill of today, of a reversed range, and of more than three months", async () => {
    const now = new Date(h.clock.now());
    const today = beijingDate(now);
    const yesterday = previousBillDate(now);
    const ask = (fromDate: string, toDate: string) =>
      requestBackfill(t.db, { merchantId: merchant.id, fromDate, toDate, actor: SYSTEM_ACTOR, now });
    expect(await ask(yesterday, today)).toMatchObject({ ok: false, error: { code: "BACKFILL_DATE", field: "toDate" } });
    expect(await ask(yesterday, beijingDate(new Date(now.getTime() - 3 * DAY)))).toMatchObject({
      ok: false,
      error: { code: "BACKFILL_ORDER" },
    });
    expect(await ask(beijingDate(new Date(now.getTime() - 100 * DAY)), yesterday)).toMatchObject({
      ok: false,
      error: { code: "BACKFILL_TOO_LONG" },
    });
  });
});
