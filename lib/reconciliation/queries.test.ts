import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createMerchant } from "../../tests/fixtures/merchant-api";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { merchants, refunds, type RefundStatus } from "../db/schema";
import { billDayBounds } from "./bill-date";
import { billMerchantIds } from "./queries";

const BILL_DATE = "2026-03-10";
const { from } = billDayBounds(BILL_DATE);
const NOON = new Date(from.getTime() + 12 * 3_600_000);
const DAY_BEFORE = new Date(from.getTime() - 3_600_000);

describe("billMerchantIds", () => {
  let t: TestDatabase;
  let sequence = 0;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  // A disabled merchant's bill is still fetched while it can speak of the merchant's refunds.
  it.each<{ situation: string; active: boolean; refunds: [RefundStatus, Date | null][]; fetched: boolean }>([
    { situation: "active, without refunds", active: true, refunds: [], fetched: true },
    { situation: "disabled, without refunds", active: false, refunds: [], fetched: false },
    { situation: "disabled, a refund at WeChat", active: false, refunds: [["PROCESSING", null]], fetched: true },
    { situation: "disabled, a refund still to be sent", active: false, refunds: [["PENDING", null]], fetched: true },
    { situation: "disabled, an abnormal refund", active: false, refunds: [["ABNORMAL", null]], fetched: true },
    {
      situation: "disabled, a refund that succeeded on the bill day",
      active: false,
      refunds: [["SUCCESS", NOON]],
      fetched: true,
    },
    {
      situation: "disabled, refunds all ended before the bill day",
      active: false,
      refunds: [
        ["SUCCESS", DAY_BEFORE],
        ["CLOSED", DAY_BEFORE],
      ],
      fetched: false,
    },
    {
      situation: "disabled, a refund WeChat never accepted",
      active: false,
      refunds: [["FAILED", NOON]],
      fetched: false,
    },
    {
      situation: "disabled, a refund waiting for an approver (never sent)",
      active: false,
      refunds: [["AWAITING_APPROVAL", null]],
      fetched: false,
    },
  ])("merchant $situation: fetched $fetched", async ({ active, refunds: refundRows, fetched }) => {
    const merchant = await createMerchant(t.db, `Merchant ${++sequence}`);
    const order = await createPaidOrder(t.db, { merchantId: merchant.id });
    for (const [status, finishedAt] of refundRows) {
      await t.db.insert(refunds).values({
        orderId: order.id,
        merchantId: merchant.id,
        outRefundNo: `RBILL${order.id}${++sequence}`,
        amountFen: 1,
        status,
        finishedAt,
      });
    }
    await t.db.update(merchants).set({ active }).where(eq(merchants.id, merchant.id));
    expect((await billMerchantIds(t.db, BILL_DATE)).includes(merchant.id)).toBe(fetched);
  });
});
