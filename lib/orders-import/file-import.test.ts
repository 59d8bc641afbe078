import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser, defaultMerchantId } from "../../tests/fixtures/orders";
import { auditLog, orders } from "../db/schema";
import { orderFileErrorReport } from "./error-report";
import { importOrderFile } from "./file-import";
import { MAX_ORDER_FILE_ROWS } from "./order-file";

let t: TestDatabase;
let merchantId: string;
let actor: { id: string; label: string };
const NOW = new Date("2026-12-01T04:00:00Z");

beforeAll(async () => {
  t = await createTestDb();
  merchantId = await defaultMerchantId(t.db);
  const admin = await createUser(t.db, "admin");
  actor = { id: admin.id, label: admin.email };
  await createPaidOrder(t.db, { merchantId, outTradeNo: "KNOWN00001", transactionId: "4200000001", totalFen: 500 });
});
afterAll(() => t.drop());

// The orders export's header in Chinese, exactly as the console writes it, and lines as a spreadsheet leaves them.
const ZH_HEADER =
  "支付时间（北京时间）,商户订单号,微信支付订单号,商户,商品描述,订单金额（元）,已退款金额（元）,退款中金额（元）,可退款金额（元）,退款笔数,退款状态";
const FILE = [
  ZH_HEADER,
  "2026-11-20 10:00:00,MOVE000001,4200000000202611200000000001,旧系统,咖啡,19.99,0.00,0.00,19.99,0,未退款",
  '2026-11-20 10:05:00,MOVE000002,4200000000202611200000000002,旧系统,"茶, 大杯",8.5,0.00,0.00,8.50,0,未退款',
  "2026-11-20 10:06:00,BAD,4200000000202611200000000003,旧系统,,1.00,0.00,0.00,1.00,0,未退款",
  "2026-11-20 10:07:00,MOVE000004,4200000000202611200000000004,旧系统,,1.001,0.00,0.00,1.00,0,未退款",
  "2026-11-20,MOVE000005,4200000000202611200000000005,旧系统,,1.00,0.00,0.00,1.00,0,未退款",
  "2026-11-20 10:08:00,MOVE000001,4200000000202611200000000001,旧系统,咖啡,19.99,0.00,0.00,19.99,0,未退款",
  "2026-11-20 10:09:00,KNOWN00001,4200000009,旧系统,,5.00,0.00,0.00,5.00,0,未退款",
  "2026-11-20 10:10:00,MOVE000008,4200000000202611200000000008,旧系统,,10.00,2.00,0.00,8.00,1,部分退款",
  "2026-11-20 10:11:00,=HYPERLINK(1),4200000000202611200000000009,旧系统,,1.00,0.00,0.00,1.00,0,未退款",
  "2099-01-01 00:00:00,MOVE000010,4200000000202611200000000010,旧系统,,1.00,0.00,0.00,1.00,0,未退款",
].join("\r\n");

const upload = (text: string | Uint8Array, fileName = "orders.csv") =>
  importOrderFile(t.db, {
    merchantId,
    fileName,
    bytes: typeof text === "string" ? new TextEncoder().encode(text) : text,
    actor,
    userId: actor.id,
    now: NOW,
  });

describe("orders from a file", () => {
  it("checks every line, imports the good ones and reports the others, once however often it is uploaded", async () => {
    const first = await upload(FILE);
    if (!first.ok) throw new Error(first.error.code);
    expect(first.value).toMatchObject({ totalRows: 10, importedRows: 2, unchangedRows: 0, encoding: "utf-8" });
    expect(first.value.problems.map((p) => [p.lineNo, p.code])).toEqual([
      [4, "INVALID_OUT_TRADE_NO"],
      [5, "INVALID_AMOUNT"],
      [6, "INVALID_PAID_AT"],
      [7, "DUPLICATE_IN_FILE"],
      [8, "ORDER_CONFLICT"],
      [9, "HAS_REFUNDS"],
      [10, "INVALID_OUT_TRADE_NO"],
      [11, "INVALID_PAID_AT"],
    ]);
    const made = await t.db
      .select()
      .from(orders)
      .where(and(eq(orders.merchantId, merchantId), eq(orders.outTradeNo, "MOVE000002")));
    expect(made[0]).toMatchObject({
      transactionId: "4200000000202611200000000002",
      totalFen: 850,
      description: "茶, 大杯",
      paidAt: new Date("2026-11-20T02:05:00Z"),
      refundedFen: 0,
    });
    const known = await t.db.select().from(orders).where(eq(orders.outTradeNo, "KNOWN00001"));
    expect(known[0]).toMatchObject({ transactionId: "4200000001", totalFen: 500 });

    const again = await upload(FILE);
    expect(again.ok && again.value).toMatchObject({ importedRows: 0, unchangedRows: 2 });
    expect(await t.db.select().from(orders).where(eq(orders.merchantId, merchantId))).toHaveLength(3);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "orders.file_import"));
    expect(audits.map((a) => a.details)).toEqual([
      expect.objectContaining({ imported: 2, unchanged: 0, refused: 8 }),
      expect.objectContaining({ imported: 0, unchanged: 2, refused: 8 }),
    ]);
  });

  it("writes the refused lines as a spreadsheet-safe error report in the reader's language", async () => {
    const result = await upload(FILE);
    if (!result.ok) throw new Error(result.error.code);
    const report = orderFileErrorReport(result.value.problems, "en");
    const lines = report
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe("line,out_trade_no,error_code,error_message");
    expect(lines[1]).toBe(
      '4,BAD,INVALID_OUT_TRADE_NO,"The order no. must be 6–32 characters of letters, digits or _-|*."',
    );
    expect(lines).toContain(
      '10,\'=HYPERLINK(1),INVALID_OUT_TRADE_NO,"The order no. must be 6–32 characters of letters, digits or _-|*."',
    );
    expect(orderFileErrorReport(result.value.problems, "zh-CN")).toContain("商户订单号在文件中重复出现。");
  });

  it("reads the English export header and a GBK file as Excel saves it", async () => {
    const en =
      "Paid at (Beijing time),Order no. (out_trade_no),WeChat Pay transaction ID,Order amount (CNY)\r\n2026-11-21 09:00:00,ENGLISH001,4200000000202611210000000001,3.00";
    expect((await upload(en)).ok && (await upload(en))).toMatchObject({ ok: true, value: { unchangedRows: 1 } });
    const gbk = Buffer.from(
      // 支付时间（北京时间）,商户订单号,微信支付订单号,订单金额（元） and one line, in GBK
      "d6a7b8b6cab1bce4a3a8b1b1bea9cab1bce4a3a92cc9ccbba7b6a9b5a5bac52ccea2d0c5d6a7b8b6b6a9b5a5bac52cb6a9b5a5bdf0b6eea3a8d4aaa3a90d0a323032362d31312d32312031303a30303a30302c47424b303030303030312c343230303030303030303230323631313231303030303030303030322c322e3530",
      "hex",
    );
    const read = await upload(gbk);
    expect(read).toMatchObject({ ok: true, value: { encoding: "gb18030", importedRows: 1 } });
  });

  it("refuses a whole file without the export's header, or with too many lines", async () => {
    expect(await upload("out_trade_no,amount\r\nT1,1.00")).toMatchObject({ ok: false, error: { code: "NO_HEADER" } });
    const many = [
      ZH_HEADER,
      ...Array.from(
        { length: MAX_ORDER_FILE_ROWS + 1 },
        (_, i) => `2026-11-20 10:00:00,MANY${String(i).padStart(6, "0")},42000${i},,,1.00,0,0,1.00,0,`,
      ),
    ].join("\n");
    expect(await upload(many)).toMatchObject({ ok: false, error: { code: "TOO_MANY_ROWS" } });
  });
});
