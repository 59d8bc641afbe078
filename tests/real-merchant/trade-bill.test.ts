import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/audit/append";
import { setDbForTests } from "@/lib/db/client";
import { merchants, orders } from "@/lib/db/schema";
import { importTradeBillDay } from "@/lib/orders-import/bill-import";
import { previousBillDate } from "@/lib/reconciliation/bill-date";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { billSourceForMerchant } from "@/lib/wechatpay/bill-source";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { realMerchant } from "@/tests/fixtures/real-merchant";
import type { WechatPayStub } from "@/tests/wechatpay-doc-stub/stub";

/**
 * A real merchant with no shop integration: its payments reach the console only through WeChat Pay's ALL trade bill,
 * fetched from a gateway written from WeChat's documentation (申请交易账单 → download_url → gzip file, SHA1 checked).
 */
describe("a real merchant's payments from the ALL trade bill", () => {
  let t: TestDatabase;
  let stub: WechatPayStub;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    const merchant = await realMerchant();
    stub = merchant.stub;
    for (const [name, value] of Object.entries(merchant.env)) vi.stubEnv(name, value);
    await setUpMerchants(t.db, process.env);
    const [row] = await t.db.select().from(merchants).where(eq(merchants.mchid, merchant.mchid));
    merchantId = row!.id;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    setDbForTests(undefined);
    await stub.close();
    await t.drop();
  });

  it("imports yesterday's payments as orders, once", async () => {
    const billDate = previousBillDate(new Date());
    stub.billPayments.push(
      {
        out_trade_no: "TEA20261201001",
        transaction_id: "4200002001202612010000000001",
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        total: 2800,
        success_time: `${billDate} 09:15:02`,
        description: "乌龙茶",
      },
      {
        out_trade_no: "TEA20261201002",
        transaction_id: "4200002001202612010000000002",
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        total: 1,
        success_time: `${billDate} 23:59:59`,
        description: "试饮",
      },
    );
    const resolve = (id: string) => billSourceForMerchant(t.db, id);
    const first = await importTradeBillDay(t.db, resolve, { merchantId, billDate, actor: SYSTEM_ACTOR });
    expect(first).toMatchObject({ imported: 2, day: { status: "IMPORTED", lineCount: 2, hashType: "SHA1" } });
    const again = await importTradeBillDay(t.db, resolve, { merchantId, billDate, actor: SYSTEM_ACTOR });
    expect(again).toMatchObject({ imported: 0, day: { status: "IMPORTED" } });
    const rows = await t.db.select().from(orders).where(eq(orders.merchantId, merchantId)).orderBy(orders.outTradeNo);
    expect(rows.map((o) => [o.outTradeNo, o.totalFen, o.description, o.paidAt.toISOString()])).toEqual([
      ["TEA20261201001", 2800, "乌龙茶", new Date(`${billDate}T09:15:02+08:00`).toISOString()],
      ["TEA20261201002", 1, "试饮", new Date(`${billDate}T23:59:59+08:00`).toISOString()],
    ]);
    const asked = stub.received.filter((r) => r.url.startsWith("/v3/bill"));
    expect(asked.map((r) => [r.url.split("?")[0], r.authenticated])).toEqual([
      ["/v3/bill/tradebill", true],
      ["/v3/billdownload/file", true],
      ["/v3/bill/tradebill", true],
      ["/v3/billdownload/file", true],
    ]);
    expect(asked[0]!.url).toContain("bill_type=ALL");
  });

  it("records a day without payments as imported, with nothing in it", async () => {
    const outcome = await importTradeBillDay(t.db, (id) => billSourceForMerchant(t.db, id), {
      merchantId,
      billDate: "2026-01-05",
      actor: SYSTEM_ACTOR,
    });
    expect(outcome).toMatchObject({ imported: 0, day: { status: "IMPORTED", lineCount: 0 } });
  });
});
