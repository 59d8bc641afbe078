import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { setDbForTests } from "@/lib/db/client";
import { auditLog, refunds } from "@/lib/db/schema";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createPaidOrder, createUser, defaultMerchantId } from "@/tests/fixtures/orders";
import { sessionUser } from "@/tests/fixtures/session";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/app/_server/session", () => ({
  currentUser: async () => session.user,
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: null }),
}));

const { GET: exportRefunds } = await import("./refunds/route");
const { GET: exportOrders } = await import("./orders/route");

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(`http://localhost${path}`, { headers });

async function csv(response: Response): Promise<string[][]> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(new TextDecoder().decode(bytes.slice(3)));
}

describe("GET /api/export/refunds and /api/export/orders", () => {
  let t: TestDatabase;
  let viewer: CurrentUser;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    const user = await createUser(t.db, "viewer");
    viewer = sessionUser(user, "viewer", await defaultMerchantId(t.db));
    const order = await createPaidOrder(t.db, { outTradeNo: "ORDER-EXPORT", totalFen: 5000 });
    await t.db.insert(refunds).values([
      { orderId: order.id, merchantId: order.merchantId, outRefundNo: "R-OK", amountFen: 1999, status: "SUCCESS" },
      { orderId: order.id, merchantId: order.merchantId, outRefundNo: "R-CLOSED", amountFen: 10, status: "CLOSED" },
    ]);
  });
  afterAll(async () => {
    setDbForTests(undefined);
    await t.drop();
  });
  beforeEach(() => {
    session.user = viewer;
  });

  it("refuses a signed-out request, and records nothing", async () => {
    session.user = null;
    const response = await exportRefunds(request("/api/export/refunds"));
    expect(response.status).toBe(401);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "export.refunds"))).toEqual([]);
  });

  it("streams the filtered refunds with Chinese headers and file name for a Chinese reader, and audits the filters", async () => {
    session.user = { ...viewer, locale: "zh-CN" };
    const response = await exportRefunds(request("/api/export/refunds?status=SUCCESS&min=19.99&after=123.4"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="refunds-\d{8}-\d{4}\.csv"; filename\*=UTF-8''%E9%80%80%E6%AC%BE%E8%AE%B0%E5%BD%95-\d{8}-\d{4}\.csv$/,
    );
    const [header, ...rows] = await csv(response);
    expect(header!.slice(0, 3)).toEqual(["退款申请时间（北京时间）", "商户退款单号", "微信退款单号"]);
    expect(rows.map((r) => [r[1], r[6], r[7]])).toEqual([["R-OK", "19.99", "退款成功"]]);
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, "export.refunds"));
    expect(audit).toMatchObject({
      actorId: viewer.id,
      actorLabel: viewer.email,
      details: { filters: { status: "SUCCESS", minFen: 1999 } },
    });
  });

  it("speaks the browser's language to a reader who chose none, and exports orders", async () => {
    const response = await exportOrders(
      request("/api/export/orders?q=ORDER-EXPORT", { "accept-language": "en-US,en;q=0.9" }),
    );
    expect(response.headers.get("content-disposition")).toMatch(/filename\*=UTF-8''orders-\d{8}-\d{4}\.csv$/);
    const [header, ...rows] = await csv(response);
    expect(header![1]).toBe("Order no. (out_trade_no)");
    expect(rows.map((r) => [r[1], r[5], r[10]])).toEqual([["ORDER-EXPORT", "50.00", "Not refunded"]]);
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, "export.orders"));
    expect(audit!.details).toEqual({ filters: { q: "ORDER-EXPORT" } });
  });
});
