import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createTestKey } from "../../tests/fixtures/merchant-api";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { authenticateApiKey } from "../api-keys/keys";
import type { Refund } from "../db/schema";
import type { ApiContext } from "./context";
import { createRefund } from "./refunds";

describe("createRefund above the merchant's approval threshold", () => {
  let t: TestDatabase;
  let context: ApiContext;
  const enqueued: Refund[] = [];
  const deps = { enqueue: async (r: Refund) => void enqueued.push(r), orderIntervalMs: 0 };

  beforeAll(async () => {
    t = await createTestDb();
    const principal = await authenticateApiKey(t.db, await createTestKey(t.db));
    context = { principal: principal!, ip: "203.0.113.7" };
  });
  afterAll(() => t.drop());

  it("answers 202 AWAITING_APPROVAL and queues nothing; below the threshold the refund is queued", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 300_000 });
    const small = await createRefund(t.db, context, { out_trade_no: order.outTradeNo, amount: 50_000 }, null, deps);
    expect(small).toMatchObject({ status: 202, body: { status: "PENDING" } });
    expect(enqueued).toHaveLength(1);

    // ¥500 + ¥600 takes the order's refunds above ¥1,000.
    const large = await createRefund(
      t.db,
      context,
      { out_trade_no: order.outTradeNo, amount: 60_000, out_refund_no: "RAPI-LARGE" },
      null,
      deps,
    );
    expect(large).toMatchObject({
      status: 202,
      body: { out_refund_no: "RAPI-LARGE", status: "AWAITING_APPROVAL", amount: 60_000 },
    });
    expect(enqueued).toHaveLength(1);
  });
});
