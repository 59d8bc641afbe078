import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { merchants, orders } from "../schema";
import { getOrderDetail, listOrders, orderFiltersSchema } from "./orders";

describe("order queries", () => {
  let t: TestDatabase;
  let partialId: number;
  let merchantId: string;
  let otherId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const [m] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx1", displayName: "Demo", subMchid: null })
      .returning();
    const paidAt = new Date("2024-05-01T02:00:00Z");
    const rows = await t.db
      .insert(orders)
      .values([
        {
          merchantId: m!.id,
          outTradeNo: "T1",
          transactionId: "4201",
          totalFen: 1000,
          paidAt,
          description: "Latte",
          payerOpenid: "oPayer",
        },
        {
          merchantId: m!.id,
          outTradeNo: "T2",
          transactionId: "4202",
          totalFen: 1000,
          paidAt,
          refundedFen: 300,
          inFlightFen: 200,
          refundCount: 2,
        },
        { merchantId: m!.id, outTradeNo: "T3", transactionId: "4203", totalFen: 1000, paidAt },
      ])
      .returning();
    partialId = rows[1]!.id;
    merchantId = m!.id;
    // Another merchant, with an order paid at the same instant under the same number.
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000999", appid: "wx9", displayName: "Other" })
      .returning();
    otherId = other!.id;
    await t.db
      .insert(orders)
      .values({ merchantId: otherId, outTradeNo: "T2", transactionId: "4299", totalFen: 5000, paidAt });
  });
  afterAll(() => t.drop());

  it("reads one order with its merchant, its sums and refund state", async () => {
    const order = await getOrderDetail(t.db, merchantId, partialId);
    expect(order).toMatchObject({
      outTradeNo: "T2",
      merchantName: "Demo",
      mchid: "1900000109",
      subMchid: null,
      merchantActive: true,
      totalFen: 1000,
      refundedFen: 300,
      inFlightFen: 200,
      refundCount: 2,
      state: "in_progress",
    });
    expect(await getOrderDetail(t.db, merchantId, 999_999)).toBeNull();
    // The order exists, but not for this merchant: not found, like an order that does not exist.
    expect(await getOrderDetail(t.db, otherId, partialId)).toBeNull();
  });

  it("pages orders paid at the same instant by id", async () => {
    const filters = orderFiltersSchema.parse({});
    const first = await listOrders(t.db, merchantId, filters, 2);
    expect(first.rows.map((o) => o.outTradeNo)).toEqual(["T3", "T2"]);
    const second = await listOrders(t.db, merchantId, { ...filters, after: first.nextCursor ?? undefined }, 2);
    expect(second.rows.map((o) => o.outTradeNo)).toEqual(["T1"]);
    expect(second.nextCursor).toBeNull();
  });

  it("ignores a day that matches the format but does not exist", async () => {
    const filters = orderFiltersSchema.parse({ from: "2024-13-01" });
    expect((await listOrders(t.db, merchantId, filters)).rows).toHaveLength(3);
  });

  it("lists and searches one merchant's orders only", async () => {
    const mine = await listOrders(t.db, merchantId, orderFiltersSchema.parse({ q: "T2" }));
    expect(mine.rows.map((o) => o.transactionId)).toEqual(["4202"]);
    const theirs = await listOrders(t.db, otherId, orderFiltersSchema.parse({}));
    expect(theirs.rows.map((o) => o.transactionId)).toEqual(["4299"]);
  });

  it.each([
    // A number that exists means that order, not the ones whose numbers contain it.
    { q: "SRCH-1", listed: ["SRCH-1"] },
    { q: "4300001", listed: ["SRCH-1"] },
    // A number that does not exist is searched for as part of order numbers and descriptions.
    { q: "SRCH-", listed: ["SRCH-12", "SRCH-1"] },
    { q: "espresso", listed: ["SRCH-12"] },
    { q: "nothing like it", listed: [] },
  ])("searching $q lists $listed", async ({ q, listed }) => {
    const paidAt = new Date("2024-06-01T02:00:00Z");
    await t.db
      .insert(orders)
      .values([
        { merchantId, outTradeNo: "SRCH-1", transactionId: "4300001", totalFen: 100, paidAt },
        { merchantId, outTradeNo: "SRCH-12", transactionId: "4300012", description: "Espresso", totalFen: 100, paidAt },
      ])
      .onConflictDoNothing();
    const found = await listOrders(t.db, merchantId, orderFiltersSchema.parse({ q }));
    expect(found.rows.map((o) => o.outTradeNo)).toEqual(listed);
  });
});
