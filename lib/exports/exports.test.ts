import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { parseOrderFilters } from "../db/queries/orders";
import { parseRefundFilters } from "../db/queries/refunds";
import { merchants, refunds } from "../db/schema";
import { csvContentDisposition } from "./filename";
import { exportOrdersCsv, ORDER_EXPORT_COLUMNS } from "./orders";
import { exportRefundsCsv, REFUND_EXPORT_COLUMNS } from "./refunds";

const BOM = [0xef, 0xbb, 0xbf];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The file's bytes as records, after checking the byte-order mark Excel needs. */
async function records(stream: ReadableStream<Uint8Array>): Promise<string[][]> {
  const bytes = await readAll(stream);
  expect([...bytes.slice(0, 3)]).toEqual(BOM);
  return parse(new TextDecoder().decode(bytes.slice(3)));
}

const refundText = {
  header: (c: string) => `H:${c}`,
  status: (s: string) => `S:${s}`,
  origin: (o: string) => `O:${o}`,
};
const orderText = { header: (c: string) => `H:${c}`, state: (s: string) => `S:${s}` };

describe("CSV exports", () => {
  let t: TestDatabase;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const [merchant] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx1", displayName: "演示咖啡" })
      .returning();
    merchantId = merchant!.id;
    const operator = await createUser(t.db, "operator", "li.lei@example.com");
    const order = await createPaidOrder(t.db, {
      merchantId: merchant!.id,
      outTradeNo: "ORDER-A",
      transactionId: "4200000000202405010000000001",
      description: '=HYPERLINK("http://evil")',
      totalFen: 5000,
      refundedFen: 2009,
      inFlightFen: 1,
      refundCount: 3,
      paidAt: new Date("2024-05-01T01:02:03Z"),
    });
    await createPaidOrder(t.db, {
      merchantId: merchant!.id,
      outTradeNo: "ORDER-B",
      description: "拿铁 ×2",
      totalFen: 10,
      paidAt: new Date("2024-05-03T00:00:00Z"),
    });
    await t.db.insert(refunds).values([
      {
        orderId: order.id,
        merchantId: merchant!.id,
        outRefundNo: "R-010",
        refundId: "50300000000001",
        amountFen: 10,
        status: "SUCCESS",
        reason: "商品质量问题，退一角",
        requestedBy: operator.id,
        createdAt: new Date("2024-05-01T16:30:00Z"),
        finishedAt: new Date("2024-05-01T16:31:05Z"),
        userReceivedAccount: "招商银行信用卡0403",
      },
      {
        orderId: order.id,
        merchantId: merchant!.id,
        outRefundNo: "R-1999",
        amountFen: 1999,
        status: "SUCCESS",
        // Made in WeChat Pay's merchant platform, found by the console: the file says so.
        origin: "external",
        createdAt: new Date("2024-05-02T08:00:00Z"),
      },
      {
        orderId: order.id,
        merchantId: merchant!.id,
        outRefundNo: "R-FAIL",
        amountFen: 1,
        status: "PENDING",
        createdAt: new Date("2024-05-03T08:00:00Z"),
        lastErrorCode: "SYSTEM_ERROR",
        lastErrorMessage: "系统超时",
      },
    ]);
  });

  afterAll(async () => {
    await t.drop();
  });

  it("writes refunds with a BOM, the header, exact yuan, Beijing times and Chinese text, newest first", async () => {
    const [header, ...rows] = await records(exportRefundsCsv(t.db, merchantId, parseRefundFilters({}), refundText));
    expect(header).toEqual(REFUND_EXPORT_COLUMNS.map((c) => `H:${c}`));
    expect(rows.map((r) => r[1])).toEqual(["R-FAIL", "R-1999", "R-010"]);
    expect(rows.map((r) => r[6])).toEqual(["0.01", "19.99", "0.10"]);
    expect(rows.map((r) => r[10])).toEqual(["O:console", "O:external", "O:console"]);
    expect(rows[2]).toEqual([
      "2024-05-02 00:30:00",
      "R-010",
      "50300000000001",
      "ORDER-A",
      "4200000000202405010000000001",
      "演示咖啡",
      "0.10",
      "S:SUCCESS",
      "商品质量问题，退一角",
      "li.lei@example.com",
      "O:console",
      "2024-05-02 00:31:05",
      "招商银行信用卡0403",
      "",
      "",
    ]);
    expect(rows[0]!.slice(-2)).toEqual(["SYSTEM_ERROR", "系统超时"]);
  });

  it("applies the refunds list's own filters, amounts typed in yuan included", async () => {
    const only = async (params: Record<string, string>) =>
      (await records(exportRefundsCsv(t.db, merchantId, parseRefundFilters(params), refundText)))
        .slice(1)
        .map((r) => r[1]);
    expect(await only({ status: "SUCCESS" })).toEqual(["R-1999", "R-010"]);
    expect(await only({ min: "0.1", max: "19.98" })).toEqual(["R-010"]);
    expect(await only({ from: "2024-05-02", to: "2024-05-02" })).toEqual(["R-1999", "R-010"]);
    expect(await only({ q: "R-1999" })).toEqual(["R-1999"]);
    expect(await only({ problem: "with_error" })).toEqual(["R-FAIL"]);
    expect(await only({ status: "CLOSED" })).toEqual([]);
  });

  it("writes orders with their sums in yuan and refund state, formulas neutralised", async () => {
    const [header, ...rows] = await records(exportOrdersCsv(t.db, merchantId, parseOrderFilters({}), orderText));
    expect(header).toEqual(ORDER_EXPORT_COLUMNS.map((c) => `H:${c}`));
    expect(rows[0]!.slice(1, 2).concat(rows[0]!.slice(4))).toEqual([
      "ORDER-B",
      "拿铁 ×2",
      "0.10",
      "0.00",
      "0.00",
      "0.10",
      "0",
      "S:none",
    ]);
    expect(rows[1]).toEqual([
      "2024-05-01 09:02:03",
      "ORDER-A",
      "4200000000202405010000000001",
      "演示咖啡",
      '\'=HYPERLINK("http://evil")',
      "50.00",
      "20.09",
      "0.01",
      "29.90",
      "3",
      "S:in_progress",
    ]);
    const filtered = await records(exportOrdersCsv(t.db, merchantId, parseOrderFilters({ max: "0.10" }), orderText));
    expect(filtered.slice(1).map((r) => r[1])).toEqual(["ORDER-B"]);
  });

  it("writes only the header when nothing matches", async () => {
    const bytes = await readAll(exportRefundsCsv(t.db, merchantId, parseRefundFilters({ q: "NOPE" }), refundText));
    expect(new TextDecoder().decode(bytes.slice(3))).toBe(
      `${REFUND_EXPORT_COLUMNS.map((c) => `H:${c}`).join(",")}\r\n`,
    );
  });

  it("closes the cursor and frees its connection when the download is cancelled", async () => {
    await t.sql`insert into refunds (order_id, merchant_id, out_refund_no, amount_fen, created_at)
      select o.id, o.merchant_id, 'BULK' || i, 1, now() from generate_series(1, 5000) i, (select id, merchant_id from orders limit 1) o`;
    const reader = exportRefundsCsv(t.db, merchantId, parseRefundFilters({}), refundText).getReader();
    await reader.read(); // header
    await reader.read(); // first batch: the cursor is open now
    await reader.cancel();
    const [open] = await t.sql`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state not in ('idle')`;
    expect(open!.n).toBe(0);
    await t.sql`delete from refunds where out_refund_no like 'BULK%'`;
  });
});

describe("Content-Disposition", () => {
  it("names the file in ASCII and in the reader's language, stamped in Beijing time", () => {
    expect(csvContentDisposition("refunds", "退款记录", new Date("2024-05-01T16:05:00Z"))).toBe(
      "attachment; filename=\"refunds-20240502-0005.csv\"; filename*=UTF-8''%E9%80%80%E6%AC%BE%E8%AE%B0%E5%BD%95-20240502-0005.csv",
    );
    expect(csvContentDisposition("orders", "orders (all)", new Date("2024-05-01T00:00:00Z"))).toContain(
      "filename*=UTF-8''orders%20%28all%29-20240501-0800.csv",
    );
  });
});
