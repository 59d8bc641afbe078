import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createTestKey } from "../../tests/fixtures/merchant-api";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { authenticateApiKey } from "../api-keys/keys";
import { apiIdempotency, refunds, type Order, type Refund } from "../db/schema";
import type { ApiContext } from "./context";
import { outRefundNoForIdempotencyKey } from "./idempotency";
import { createRefund } from "./refunds";

describe("createRefund: idempotency beyond the happy path", () => {
  let t: TestDatabase;
  let context: ApiContext;
  const enqueued: Refund[] = [];
  const deps = {
    enqueue: async (r: Refund) => void enqueued.push(r),
    orderIntervalMs: 0,
    idempotency: { waitMs: 200, pollMs: 10 },
  };
  const rowsOf = (o: Order) => t.db.select().from(refunds).where(eq(refunds.orderId, o.id));

  beforeAll(async () => {
    t = await createTestDb();
    const principal = await authenticateApiKey(t.db, await createTestKey(t.db));
    context = { principal: principal!, ip: "203.0.113.7" };
  });
  afterAll(() => t.drop());

  it("derives a stable refund number per API key and Idempotency-Key, in WeChat's alphabet", () => {
    const a = outRefundNoForIdempotencyKey("key-1", "idem");
    expect(a).toMatch(/^A[0-9A-Z]{24}$/);
    expect(outRefundNoForIdempotencyKey("key-1", "idem")).toBe(a);
    expect(outRefundNoForIdempotencyKey("key-2", "idem")).not.toBe(a);
    expect(outRefundNoForIdempotencyKey("key-1", "idem2")).not.toBe(a);
  });

  it("after a crash between the refund and its stored answer, a retry waits, then takes the stale key over", async () => {
    const order = await createPaidOrder(t.db);
    const idem = "crashed-request";
    const input = { out_trade_no: order.outTradeNo, amount: 400 };
    const first = await createRefund(t.db, context, input, idem, deps);
    expect(first.status).toBe(202);
    enqueued.length = 0;
    // What a process that died after committing the refund leaves behind: the key still marked in progress.
    const crash = (age: string) =>
      t.db
        .update(apiIdempotency)
        .set({ responseStatus: 0, responseBody: {}, createdAt: sql`now() - ${age}::interval` })
        .where(and(eq(apiIdempotency.apiKeyId, context.principal.keyId), eq(apiIdempotency.key, idem)));

    // Recent: the first request may still be running, so a repeat waits for it, then says so.
    await crash("0 seconds");
    expect(await createRefund(t.db, context, input, idem, deps)).toMatchObject({
      status: 409,
      body: { code: "IDEMPOTENCY_KEY_IN_USE" },
    });

    // Stale: a different request is still refused; the same one takes the key over and finds the committed refund.
    await crash("1 minute");
    expect(await createRefund(t.db, context, { ...input, amount: 401 }, idem, deps)).toMatchObject({
      status: 422,
      body: { code: "IDEMPOTENCY_KEY_REUSED" },
    });
    const retry = await createRefund(t.db, context, input, idem, deps);
    expect(retry).toMatchObject({
      status: 202,
      replayed: true,
      body: { out_refund_no: (first.body as { out_refund_no: string }).out_refund_no },
    });
    expect(await rowsOf(order)).toHaveLength(1);
    expect(enqueued).toHaveLength(0);
    const [stored] = await t.db.select().from(apiIdempotency).where(eq(apiIdempotency.key, idem));
    expect(stored!.responseStatus).toBe(202);
  });

  it("still answers 202 when the queue is down: the refund is recorded and the sweep will submit it", async () => {
    const order = await createPaidOrder(t.db);
    const reply = await createRefund(t.db, context, { out_trade_no: order.outTradeNo, amount: 100 }, null, {
      ...deps,
      enqueue: async () => {
        throw new Error("queue unavailable");
      },
    });
    expect(reply).toMatchObject({ status: 202, body: { status: "PENDING" } });
    expect(await rowsOf(order)).toHaveLength(1);
  });

  it("without an Idempotency-Key or out_refund_no, every request is a new refund", async () => {
    const order = await createPaidOrder(t.db);
    await createRefund(t.db, context, { out_trade_no: order.outTradeNo, amount: 100 }, null, deps);
    await createRefund(t.db, context, { out_trade_no: order.outTradeNo, amount: 100 }, null, deps);
    expect(await rowsOf(order)).toHaveLength(2);
  });
});
