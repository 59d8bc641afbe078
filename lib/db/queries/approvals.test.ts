import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { createMerchant } from "../../../tests/fixtures/merchant-api";
import { createPaidOrder } from "../../../tests/fixtures/orders";
import { refunds } from "../schema";
import { listAwaitingApproval } from "./approvals";

describe("the approvals queue", () => {
  let t: TestDatabase;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const order = await createPaidOrder(t.db, { totalFen: 1_000_000 });
    merchantId = order.merchantId;
    const other = await createMerchant(t.db, "Other shop");
    const theirs = await createPaidOrder(t.db, { merchantId: other.id, totalFen: 1_000_000 });
    const base = new Date("2026-11-01T00:00:00Z").getTime();
    // 60 waiting refunds, two of them at the same instant; and one of another merchant, older than all.
    await t.db.insert(refunds).values([
      ...Array.from({ length: 60 }, (_, i) => ({
        orderId: order.id,
        merchantId,
        outRefundNo: `RQ${String(i).padStart(3, "0")}`,
        amountFen: 100,
        status: "AWAITING_APPROVAL" as const,
        createdAt: new Date(base + Math.min(i, 58) * 1000),
      })),
      {
        orderId: theirs.id,
        merchantId: other.id,
        outRefundNo: "RQ-THEIRS",
        amountFen: 100,
        status: "AWAITING_APPROVAL" as const,
        createdAt: new Date(base - 1000),
      },
    ]);
  });
  afterAll(() => t.drop());

  it("pages the merchant's queue oldest first, ties by id, without skipping or repeating", async () => {
    const first = await listAwaitingApproval(t.db, merchantId);
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]!.outRefundNo).toBe("RQ000");
    const second = await listAwaitingApproval(t.db, merchantId, first.nextCursor!);
    expect(second.nextCursor).toBeNull();
    const all = [...first.rows, ...second.rows].map((r) => r.outRefundNo);
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `RQ${String(i).padStart(3, "0")}`));
    expect(all).not.toContain("RQ-THEIRS");
  });
});
