import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";
import type { Database } from "@/lib/db/client";
import { refunds, type Order } from "@/lib/db/schema";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest, createMerchant, params } from "@/tests/fixtures/merchant-api";
import { createPaidOrder } from "@/tests/fixtures/orders";

const holder = vi.hoisted(() => ({ db: undefined as Database | undefined }));
vi.mock("@/lib/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/client")>()),
  getDb: () => holder.db!,
}));
vi.mock("@/lib/jobs/boss", () => ({ getBoss: async () => ({ send: async () => "job", insert: async () => {} }) }));

const { GET: getOrder } = await import("./orders/[outTradeNo]/route");
const { POST: postRefund } = await import("./refunds/route");

/** Keys made on the admin page belong to one merchant: another merchant's orders do not exist for them. */
describe("API keys are valid only for their merchant", () => {
  let t: TestDatabase;
  let keyA: string;
  let orderA: Order;
  let orderB: Order;
  const admin = { id: null, label: "admin@example.com" };

  const read = (order: Order, key: string) =>
    getOrder(
      apiRequest("GET", `/api/v1/orders/${order.outTradeNo}`, { key }),
      params({ outTradeNo: order.outTradeNo }),
    );
  const refund = (order: Order, key: string) =>
    postRefund(apiRequest("POST", "/api/v1/refunds", { key, body: { out_trade_no: order.outTradeNo, amount: 100 } }));

  beforeAll(async () => {
    t = await createTestDb();
    holder.db = t.db;
    const [a, b] = [await createMerchant(t.db, "Shop A"), await createMerchant(t.db, "Shop B")];
    orderA = await createPaidOrder(t.db, { merchantId: a.id });
    orderB = await createPaidOrder(t.db, { merchantId: b.id });
    ({ key: keyA } = await createApiKey(t.db, {
      name: "Shop A back end",
      merchantId: a.id,
      createdBy: null,
      actor: admin,
    }));
  });
  afterAll(() => t.drop());

  it("reads and refunds its own merchant's order", async () => {
    expect((await read(orderA, keyA)).status).toBe(200);
    expect((await refund(orderA, keyA)).status).toBe(202);
  });

  it("cannot read or refund another merchant's order: 404, and no refund is recorded", async () => {
    const readB = await read(orderB, keyA);
    expect(readB.status).toBe(404);
    expect(await readB.json()).toMatchObject({ code: "ORDER_NOT_FOUND" });
    expect((await refund(orderB, keyA)).status).toBe(404);
    expect(await t.db.select().from(refunds).where(eq(refunds.orderId, orderB.id))).toHaveLength(0);
  });

  it("stops working once revoked on the admin page", async () => {
    const { key, apiKey } = await createApiKey(t.db, {
      name: "to revoke",
      merchantId: orderA.merchantId,
      createdBy: null,
      actor: admin,
    });
    expect((await read(orderA, key)).status).toBe(200);
    await revokeApiKey(t.db, { id: apiKey.id, merchantId: apiKey.merchantId!, actor: admin });
    expect((await read(orderA, key)).status).toBe(401);
  });
});
