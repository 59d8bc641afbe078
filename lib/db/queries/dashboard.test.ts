import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { createPaidOrder } from "../../../tests/fixtures/orders";
import { merchants, refunds, type RefundStatus } from "../schema";
import { currentState, dailySeries, outcomeRate, parseDashboardParams, presetRange, rangeSummary } from "./dashboard";

const NOW = new Date("2024-06-30T12:00:00+08:00");
const at = (beijing: string) => new Date(`${beijing}+08:00`);

describe("dashboard range from the URL", () => {
  const range = (params: Record<string, string | undefined>) => parseDashboardParams(params, NOW).range;

  it.each([
    [{}, { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 }],
    [{ days: "7" }, { from: "2024-06-24", to: "2024-06-30", days: 7, preset: 7 }],
    [{ days: "90" }, { from: "2024-04-02", to: "2024-06-30", days: 90, preset: 90 }],
    [{ days: "12" }, { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 }],
    [
      { from: "2024-02-27", to: "2024-03-01" },
      { from: "2024-02-27", to: "2024-03-01", days: 4, preset: null },
    ],
    [
      { from: "2024-06-10", to: "2024-06-10" },
      { from: "2024-06-10", to: "2024-06-10", days: 1, preset: null },
    ],
    // Unreal days, reversed and over-long ranges fall back to the default.
    [
      { from: "2024-02-28", to: "2024-02-31" },
      { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 },
    ],
    [
      { from: "2024-06-10", to: "2024-06-01" },
      { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 },
    ],
    [
      { from: "2022-01-01", to: "2024-06-01" },
      { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 },
    ],
    [{ from: "2024-06-10" }, { from: "2024-06-01", to: "2024-06-30", days: 30, preset: 30 }],
  ])("%j → %j", (params, expected) => {
    expect(range(params)).toEqual(expected);
  });

  it("takes the Beijing day, which starts 8 hours before UTC's", () => {
    expect(presetRange(7, new Date("2024-06-30T16:30:00Z")).to).toBe("2024-07-01");
    expect(presetRange(7, new Date("2024-06-30T15:59:59Z")).to).toBe("2024-06-30");
  });

  it("takes no merchant from the URL: the merchant is the session's", () => {
    const parsed = parseDashboardParams({ merchant: "7f0c2a9e-1b2c-4d3e-8f40-123456789abc" }, NOW);
    expect(Object.keys(parsed)).toEqual(["range"]);
  });
});

describe("dashboard queries", () => {
  let t: TestDatabase;
  let merchantA: string;
  let merchantB: string;
  let sequence = 0;

  async function addRefund(
    merchantId: string,
    status: RefundStatus,
    amountFen: number,
    createdAt: Date,
    extra: { succeededAfterSeconds?: number; outcomeUnknown?: boolean; lastErrorCode?: string } = {},
  ) {
    const order = await createPaidOrder(t.db, {
      merchantId,
      totalFen: 1_000_000,
      paidAt: new Date(createdAt.getTime() - 60_000),
    });
    const finishedAt =
      extra.succeededAfterSeconds === undefined
        ? null
        : new Date(createdAt.getTime() + extra.succeededAfterSeconds * 1000);
    await t.db.insert(refunds).values({
      orderId: order.id,
      merchantId,
      outRefundNo: `D${++sequence}`,
      amountFen,
      status,
      createdAt,
      finishedAt,
      outcomeUnknown: extra.outcomeUnknown ?? false,
      lastErrorCode: extra.lastErrorCode ?? null,
    });
  }

  beforeAll(async () => {
    t = await createTestDb();
    const [a, b] = await t.db
      .insert(merchants)
      .values([
        { mchid: "1900000109", appid: "wx1", displayName: "A" },
        { mchid: "1900000110", appid: "wx1", displayName: "B" },
      ])
      .returning();
    merchantA = a!.id;
    merchantB = b!.id;
    await addRefund(merchantA, "SUCCESS", 1999, at("2024-06-28T00:00:00"), { succeededAfterSeconds: 60 });
    await addRefund(merchantA, "SUCCESS", 10, at("2024-06-28T23:59:59"), { succeededAfterSeconds: 120 });
    await addRefund(merchantA, "SUCCESS", 5000, at("2024-06-30T10:00:00"), { succeededAfterSeconds: 600 });
    await addRefund(merchantB, "SUCCESS", 700, at("2024-06-29T08:00:00"), { succeededAfterSeconds: 30 });
    // Just outside the range on both sides.
    await addRefund(merchantA, "SUCCESS", 123, at("2024-06-27T23:59:59"), { succeededAfterSeconds: 5 });
    await addRefund(merchantA, "SUCCESS", 456, at("2024-07-01T00:00:00"), { succeededAfterSeconds: 5 });
    await addRefund(merchantA, "CLOSED", 100, at("2024-06-30T09:00:00"));
    await addRefund(merchantA, "ABNORMAL", 200, at("2024-06-30T09:00:00"));
    await addRefund(merchantA, "FAILED", 300, at("2024-06-29T09:00:00"), { lastErrorCode: "NOT_ENOUGH" });
    await addRefund(merchantA, "PENDING", 400, at("2024-06-29T09:00:00"), {
      outcomeUnknown: true,
      lastErrorCode: "SYSTEM_ERROR",
    });
    await addRefund(merchantA, "PROCESSING", 500, at("2024-06-30T09:00:00"));
    await addRefund(merchantA, "AWAITING_APPROVAL", 600, at("2024-06-30T09:00:00"));
    await addRefund(merchantA, "REJECTED", 700, at("2024-06-30T09:00:00"));
    // Long ago, still retrying: in flight now, though outside the range.
    await addRefund(merchantB, "PENDING", 800, at("2024-05-01T09:00:00"), { lastErrorCode: "FREQUENCY_LIMITED" });
  });

  afterAll(async () => {
    await t.drop();
  });

  const range = parseDashboardParams({ from: "2024-06-28", to: "2024-06-30" }, NOW).range;

  it("sums the merchant's refunds requested on the range's Beijing days, with exact median and p90 times to success", async () => {
    const summary = await rangeSummary(t.db, range, merchantA);
    expect(summary).toEqual({
      requestedCount: 10,
      refundedCount: 3,
      refundedFen: 1999 + 10 + 5000,
      finalCount: 6,
      closedCount: 1,
      abnormalCount: 1,
      failedCount: 1,
      // percentile_cont over 60, 120, 600 s.
      p50SuccessSeconds: 120,
      p90SuccessSeconds: 504,
    });
    expect(outcomeRate(summary.refundedCount, summary)).toBeCloseTo(3 / 6);
  });

  it("never counts another merchant's refunds", async () => {
    expect(await rangeSummary(t.db, range, merchantB)).toMatchObject({
      requestedCount: 1,
      refundedCount: 1,
      refundedFen: 700,
      p50SuccessSeconds: 30,
    });
  });

  it("shows an empty range as zeros and no times, and no rates", async () => {
    const empty = parseDashboardParams({ from: "2023-01-01", to: "2023-01-31" }, NOW).range;
    const summary = await rangeSummary(t.db, empty, merchantA);
    expect(summary).toEqual({
      requestedCount: 0,
      refundedCount: 0,
      refundedFen: 0,
      finalCount: 0,
      closedCount: 0,
      abnormalCount: 0,
      failedCount: 0,
      p50SuccessSeconds: null,
      p90SuccessSeconds: null,
    });
    expect(outcomeRate(0, summary)).toBeNull();
    expect(
      (await dailySeries(t.db, empty, merchantA)).every(
        (d) => d.refundedFen === 0 && Object.values(d.byStatus).every((n) => n === 0),
      ),
    ).toBe(true);
  });

  it("counts what is in flight and needs attention now, whatever the range", async () => {
    expect(await currentState(t.db, merchantA)).toEqual({
      inFlightCount: 3,
      inFlightFen: 400 + 500 + 600,
      abnormalCount: 1,
      failedCount: 1,
      outcomeUnknownCount: 1,
      pendingWithErrorCount: 1,
    });
    expect(await currentState(t.db, merchantB)).toEqual({
      inFlightCount: 1,
      inFlightFen: 800,
      abnormalCount: 0,
      failedCount: 0,
      outcomeUnknownCount: 0,
      pendingWithErrorCount: 1,
    });
  });

  it("has one point per Beijing day, empty days as zeros, split by status", async () => {
    const days = parseDashboardParams({ from: "2024-06-26", to: "2024-06-30" }, NOW).range;
    const series = await dailySeries(t.db, days, merchantA);
    expect(series.map((d) => [d.day, d.refundedFen, d.refundedCount])).toEqual([
      ["2024-06-26", 0, 0],
      ["2024-06-27", 123, 1],
      ["2024-06-28", 2009, 2],
      ["2024-06-29", 0, 0],
      ["2024-06-30", 5000, 1],
    ]);
    expect(series[3]!.byStatus).toEqual({
      SUCCESS: 0,
      PROCESSING: 0,
      PENDING: 1,
      AWAITING_APPROVAL: 0,
      CLOSED: 0,
      ABNORMAL: 0,
      FAILED: 1,
      REJECTED: 0,
    });
    expect(series[4]!.byStatus).toEqual({
      SUCCESS: 1,
      PROCESSING: 1,
      PENDING: 0,
      AWAITING_APPROVAL: 1,
      CLOSED: 1,
      ABNORMAL: 1,
      FAILED: 0,
      REJECTED: 1,
    });
  });

  it("series for one merchant", async () => {
    const series = await dailySeries(t.db, range, merchantB);
    expect(series.map((d) => [d.day, d.refundedFen])).toEqual([
      ["2024-06-28", 0],
      ["2024-06-29", 700],
      ["2024-06-30", 0],
    ]);
  });
});
