import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { setDbForTests } from "@/lib/db/client";
import { auditLog, merchants, orders, refundEvents, refunds, type Merchant } from "@/lib/db/schema";
import { listActiveReasons } from "@/lib/refunds/reasons";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createMerchant } from "@/tests/fixtures/merchant-api";
import { createPaidOrder, createUser } from "@/tests/fixtures/orders";
import { sessionUser } from "@/tests/fixtures/session";

const holder = vi.hoisted(() => ({
  user: null as CurrentUser | null,
  sent: [] as { refundId: number; merchantId: string }[],
}));
vi.mock("@/app/_server/session", () => ({
  currentUser: async () => holder.user,
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: "127.0.0.1" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("@/app/_server/message-text", () => import("@/tests/fixtures/message-text"));
vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => ({
    insert: async (jobs: { data: { refundId: number; merchantId: string } }[]) => {
      for (const job of jobs) holder.sent.push(job.data);
    },
  }),
}));

const { requestRefundAction } = await import("./actions");

describe("requestRefundAction for a disabled merchant", () => {
  let t: TestDatabase;
  let shop: Merchant;
  let reason: string;

  const ask = (orderId: number, amount: string) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ orderId: String(orderId), amount, reason })) form.set(k, v);
    return requestRefundAction(null, form);
  };
  /** What a refused request must leave as it was. */
  const footprint = async (orderId: number) => ({
    refunds: await t.db.$count(refunds),
    events: await t.db.$count(refundEvents),
    audit: await t.db.$count(auditLog),
    order: (await t.db.select().from(orders).where(eq(orders.id, orderId)))[0],
  });

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    shop = await createMerchant(t.db, "Disabled shop");
    const operator = await createUser(t.db, "operator", undefined, shop.id);
    holder.user = sessionUser(operator, "operator", shop.id);
    reason = (await listActiveReasons(t.db))[0]!.label;
  });
  afterAll(async () => {
    setDbForTests(undefined);
    await t.drop();
  });
  beforeEach(async () => {
    holder.sent.length = 0;
    await t.db.update(merchants).set({ active: false }).where(eq(merchants.id, shop.id));
  });

  // Below the approval threshold, and above it without the password an approver-bound refund asks for: the merchant
  // is the reason given in both cases, not a missing password.
  it.each([
    ["below the approval threshold", "10.00"],
    ["above the approval threshold", "1500.00"],
  ])(
    "refuses a refund %s with MERCHANT_INACTIVE in both languages, and writes and queues nothing",
    async (_case, amount) => {
      const order = await createPaidOrder(t.db, { merchantId: shop.id, totalFen: 200_000 });
      const before = await footprint(order.id);
      expect(await ask(order.id, amount)).toEqual({
        ok: false,
        code: "MERCHANT_INACTIVE",
        error: "This merchant is disabled and takes no new refunds.",
      });
      expect(await footprint(order.id)).toEqual(before);
      expect(holder.sent).toEqual([]);
    },
  );

  it("takes the same refund once the merchant is enabled again", async () => {
    const order = await createPaidOrder(t.db, { merchantId: shop.id, totalFen: 200_000 });
    await t.db.update(merchants).set({ active: true }).where(eq(merchants.id, shop.id));
    const result = await ask(order.id, "10.00");
    expect(result).toMatchObject({ ok: true, data: { status: "PENDING" } });
    const [made] = await t.db.select().from(refunds).where(eq(refunds.orderId, order.id));
    expect(holder.sent).toEqual([{ refundId: made!.id, merchantId: shop.id }]);
  });
});
