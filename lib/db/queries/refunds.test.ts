import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { merchants, orders, refundEvents, refunds, users, type RefundStatus } from "../schema";
import {
  countNeedingAttention,
  getRefundDetail,
  listOrderRefunds,
  listRefundEvents,
  listRefundRequesters,
  listRefunds,
  refundFiltersSchema,
  type RefundFilters,
} from "./refunds";

describe("refund queries", () => {
  let t: TestDatabase;
  let alice: string;
  let bob: string;
  let order1: number;
  let order2: number;
  let merchantId: string;

  const noFilters: RefundFilters = refundFiltersSchema.parse({});

  async function addRefund(values: {
    orderId: number;
    outRefundNo: string;
    amountFen: number;
    createdAt: Date;
    status?: RefundStatus;
    requestedBy?: string | null;
    approvedBy?: string | null;
  }) {
    const [merchant] = await t.db.select({ id: merchants.id }).from(merchants).limit(1);
    const [row] = await t.db
      .insert(refunds)
      .values({ merchantId: merchant!.id, status: "SUCCESS", ...values })
      .returning({ id: refunds.id });
    return row!.id;
  }

  /** Every page of a list, following its cursors, as refund numbers. */
  async function allPages(filters: Partial<RefundFilters>, pageSize: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const { rows, nextCursor } = await listRefunds(t.db, merchantId, { ...noFilters, ...filters, after }, pageSize);
      seen.push(...rows.map((r) => r.outRefundNo));
      if (!nextCursor) return seen;
      after = nextCursor;
    }
    throw new Error("paging did not end");
  }

  beforeAll(async () => {
    t = await createTestDb();
    const [m] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx1", displayName: "M" })
      .returning();
    merchantId = m!.id;
    const us = await t.db
      .insert(users)
      .values([
        { email: "alice@example.com", name: "Alice", passwordHash: "x" },
        { email: "bob@example.com", name: "Bob", passwordHash: "x" },
        { email: "carol@example.com", name: "Carol", passwordHash: "x" },
      ])
      .returning();
    alice = us[0]!.id;
    bob = us[1]!.id;
    const os = await t.db
      .insert(orders)
      .values([
        {
          merchantId: m!.id,
          outTradeNo: "T1",
          transactionId: "4201",
          totalFen: 100_000,
          paidAt: new Date("2024-04-01T00:00:00Z"),
        },
        {
          merchantId: m!.id,
          outTradeNo: "T2",
          transactionId: "4202",
          totalFen: 100_000,
          paidAt: new Date("2024-04-01T00:00:00Z"),
        },
      ])
      .returning();
    order1 = os[0]!.id;
    order2 = os[1]!.id;

    const same = new Date("2024-05-01T10:00:00Z");
    // Five refunds at one instant: only the id orders them, and pages must split them without loss or repeats.
    for (let i = 1; i <= 5; i++) {
      await addRefund({
        orderId: order1,
        outRefundNo: `R-SAME-${i}`,
        amountFen: 100 * i,
        createdAt: same,
        requestedBy: alice,
      });
    }
    await addRefund({
      orderId: order2,
      outRefundNo: "R-EARLY",
      amountFen: 5_000,
      createdAt: new Date("2024-04-30T16:10:00Z"),
      status: "ABNORMAL",
      requestedBy: bob,
      approvedBy: alice,
    });
    await addRefund({
      orderId: order2,
      outRefundNo: "R-LATE",
      amountFen: 9_999,
      createdAt: new Date("2024-05-01T15:30:00Z"),
      status: "PROCESSING",
    });
  });
  afterAll(() => t.drop());

  it("lists newest first, ties broken by id, with order number and requester", async () => {
    const { rows, nextCursor } = await listRefunds(t.db, merchantId, noFilters);
    expect(rows.map((r) => r.outRefundNo)).toEqual([
      "R-LATE",
      "R-SAME-5",
      "R-SAME-4",
      "R-SAME-3",
      "R-SAME-2",
      "R-SAME-1",
      "R-EARLY",
    ]);
    expect(nextCursor).toBeNull();
    expect(rows[1]).toMatchObject({
      outTradeNo: "T1",
      orderId: order1,
      requesterName: "Alice",
      requesterEmail: "alice@example.com",
    });
    expect(rows[0]).toMatchObject({ requesterName: null, status: "PROCESSING" });
    expect(rows[0]).not.toHaveProperty("cursorMicros");
  });

  it("pages through equal timestamps without skipping or repeating", async () => {
    const everything = (await listRefunds(t.db, merchantId, noFilters)).rows.map((r) => r.outRefundNo);
    for (const size of [1, 2, 3, 4]) expect(await allPages({}, size)).toEqual(everything);
  });

  it("pages through rows apart by less than a millisecond", async () => {
    // now() keeps microseconds: a millisecond cursor would skip R-US-1..3 after a page ending on R-US-4.
    const [merchant] = await t.db.select({ id: merchants.id }).from(merchants).limit(1);
    for (let i = 1; i <= 4; i++) {
      await t.db.insert(refunds).values({
        orderId: order1,
        merchantId: merchant!.id,
        outRefundNo: `R-US-${i}`,
        amountFen: 1,
        createdAt: sql`${`2024-06-01T00:00:00.123${i}00Z`}::timestamptz`,
      });
    }
    const pages = await allPages({ from: "2024-06-01" }, 1);
    expect(pages).toEqual(["R-US-4", "R-US-3", "R-US-2", "R-US-1"]);
    await t.db.delete(refunds).where(sql`${refunds.outRefundNo} like 'R-US-%'`);
  });

  it("filters by status", async () => {
    const { rows } = await listRefunds(t.db, merchantId, { ...noFilters, status: "ABNORMAL" });
    expect(rows.map((r) => r.outRefundNo)).toEqual(["R-EARLY"]);
    expect(await allPages({ status: "SUCCESS" }, 2)).toEqual([
      "R-SAME-5",
      "R-SAME-4",
      "R-SAME-3",
      "R-SAME-2",
      "R-SAME-1",
    ]);
  });

  it("filters by an inclusive amount range in fen", async () => {
    const { rows } = await listRefunds(t.db, merchantId, { ...noFilters, minFen: 200, maxFen: 400 });
    expect(rows.map((r) => r.amountFen)).toEqual([400, 300, 200]);
    expect(
      (await listRefunds(t.db, merchantId, { ...noFilters, minFen: 9_999 })).rows.map((r) => r.outRefundNo),
    ).toEqual(["R-LATE"]);
  });

  it("filters by Beijing days", async () => {
    // R-EARLY is 2024-05-01 00:10 and R-LATE 23:30 in Beijing; the 10:00Z refunds are 18:00 the same day.
    const may1 = await allPages({ from: "2024-05-01", to: "2024-05-01" }, 50);
    expect(may1).toEqual(["R-LATE", "R-SAME-5", "R-SAME-4", "R-SAME-3", "R-SAME-2", "R-SAME-1", "R-EARLY"]);
    expect(await allPages({ from: "2024-05-02" }, 50)).toEqual([]);
    expect(await allPages({ to: "2024-04-30" }, 50)).toEqual([]);
  });

  it("filters by operator, and offers only users who requested refunds", async () => {
    expect(await allPages({ operator: bob }, 50)).toEqual(["R-EARLY"]);
    expect((await listRefundRequesters(t.db, merchantId)).map((u) => u.name)).toEqual(["Alice", "Bob"]);
  });

  it("finds refunds by exact refund number or order number", async () => {
    expect(await allPages({ q: "R-LATE" }, 50)).toEqual(["R-LATE"]);
    expect(await allPages({ q: "T2" }, 50)).toEqual(["R-LATE", "R-EARLY"]);
    expect(await allPages({ q: "R-SAME" }, 50)).toEqual([]);
  });

  it("drops invalid filter values instead of failing", async () => {
    const filters = refundFiltersSchema.parse({
      status: "NOPE",
      operator: "x",
      minFen: "abc",
      from: "yesterday",
      to: "2024-13-01",
      after: "junk",
    });
    expect(filters).toEqual({
      status: undefined,
      operator: undefined,
      minFen: undefined,
      maxFen: undefined,
      from: undefined,
      to: "2024-13-01",
      q: undefined,
      after: "junk",
    });
    // A day that matches the format but does not exist is ignored by the query, as is an unreadable cursor.
    expect((await listRefunds(t.db, merchantId, filters)).rows).toHaveLength(7);
  });

  it("finds what needs attention (abnormal, pending after an error, outcome unknown), one merchant's only", async () => {
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000110", appid: "wx2", displayName: "Other" })
      .returning();
    const [otherOrder] = await t.db
      .insert(orders)
      .values({
        merchantId: other!.id,
        outTradeNo: "T9",
        transactionId: "4209",
        totalFen: 100_000,
        paidAt: new Date("2024-04-01T00:00:00Z"),
      })
      .returning();
    const at = new Date("2024-07-01T00:00:00Z");
    const rows = [
      { outRefundNo: "R-ATT-RETRY", status: "PENDING" as const, lastErrorCode: "SYSTEM_ERROR" },
      { outRefundNo: "R-ATT-UNKNOWN", status: "PENDING" as const, outcomeUnknown: true },
      { outRefundNo: "R-ATT-QUEUED", status: "PENDING" as const },
    ];
    for (const [i, row] of rows.entries()) {
      await t.db.insert(refunds).values({
        orderId: otherOrder!.id,
        merchantId: other!.id,
        amountFen: 1,
        createdAt: new Date(at.getTime() + i),
        ...row,
      });
    }
    expect(await allPages({ attention: "1" }, 2)).toEqual(["R-EARLY"]);
    expect(await countNeedingAttention(t.db, merchantId)).toBe(1);
    const theirs = async (filters: Partial<RefundFilters>) =>
      (await listRefunds(t.db, other!.id, { ...noFilters, ...filters })).rows.map((r) => r.outRefundNo);
    expect(await theirs({ attention: "1" })).toEqual(["R-ATT-UNKNOWN", "R-ATT-RETRY"]);
    expect(await countNeedingAttention(t.db, other!.id)).toBe(2);
    expect(await theirs({})).toEqual(["R-ATT-QUEUED", "R-ATT-UNKNOWN", "R-ATT-RETRY"]);
    // Neither sees the other's refunds, whatever the search.
    expect(await allPages({ q: "R-ATT-QUEUED" }, 50)).toEqual([]);
    expect(await theirs({ q: "R-EARLY" })).toEqual([]);
    expect(refundFiltersSchema.parse({ attention: "yes" }).attention).toBeUndefined();
    await t.db.delete(refunds).where(sql`${refunds.outRefundNo} like 'R-ATT-%'`);
  });

  it("reads one refund with its order, requester and approver", async () => {
    const detail = await getRefundDetail(t.db, merchantId, "R-EARLY");
    expect(detail).toMatchObject({
      refund: { outRefundNo: "R-EARLY", amountFen: 5_000, status: "ABNORMAL", orderId: order2 },
      order: { id: order2, outTradeNo: "T2", totalFen: 100_000 },
      merchantName: "M",
      merchantApiVersion: "v3",
      requesterName: "Bob",
      approverName: "Alice",
      approverEmail: "alice@example.com",
    });
    expect(await getRefundDetail(t.db, merchantId, "R-NONE")).toBeNull();
    const [other] = await t.db
      .select({ id: merchants.id })
      .from(merchants)
      .where(sql`${merchants.mchid} = '1900000110'`);
    expect(await getRefundDetail(t.db, other!.id, "R-EARLY")).toBeNull();
  });

  it("lists an order's refunds and their timelines", async () => {
    const list = await listOrderRefunds(t.db, merchantId, order2);
    expect(list.map((r) => [r.outRefundNo, r.requesterName])).toEqual([
      ["R-LATE", null],
      ["R-EARLY", "Bob"],
    ]);
    const [late, early] = list;
    const base = new Date("2024-05-01T00:00:00Z").getTime();
    await t.db.insert(refundEvents).values([
      {
        refundId: early!.id,
        at: new Date(base + 2_000),
        type: "abnormal",
        source: "notify",
        statusFrom: "PROCESSING",
        statusTo: "ABNORMAL",
        payload: { code: "X" },
      },
      {
        refundId: early!.id,
        at: new Date(base),
        type: "requested",
        source: "operator",
        actorId: bob,
        statusTo: "PENDING",
      },
      { refundId: late!.id, at: new Date(base), type: "requested", source: "system", statusTo: "PENDING" },
    ]);
    const events = await listRefundEvents(t.db, [early!.id, late!.id, 999_999]);
    expect(events.get(early!.id)?.map((e) => [e.type, e.actorName, e.statusTo])).toEqual([
      ["requested", "Bob", "PENDING"],
      ["abnormal", null, "ABNORMAL"],
    ]);
    expect(events.get(early!.id)?.[1]?.payload).toEqual({ code: "X" });
    expect(events.get(late!.id)).toHaveLength(1);
    expect(events.get(999_999)).toEqual([]);
    expect((await listRefundEvents(t.db, [])).size).toBe(0);
  });
});
