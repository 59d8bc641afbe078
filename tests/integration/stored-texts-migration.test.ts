import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkBatches, bulkRows, orderFileImports } from "../../lib/db/schema";
import { msg, type Message } from "../../lib/message";
import { translate } from "../../lib/translate";
import { createTestDb, type TestDatabase } from "../db";
import { defaultMerchantId } from "../fixtures/orders";

/** Migration 0020 turns the texts stored in both languages into messages, keeping each language's words. */
describe("stored texts become messages (drizzle/0020)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t?.drop());

  it("converts bulk rows' errors and order-import problems, and leaves messages alone", async () => {
    const merchantId = await defaultMerchantId(t.db);
    const [batch] = await t.db
      .insert(bulkBatches)
      .values({ merchantId, fileName: "a.csv", totalRows: 2, validRows: 0, validAmountFen: 0 })
      .returning();
    const row = {
      batchId: batch!.id,
      outTradeNo: "T1",
      amountText: "x",
      full: false,
      reason: "",
      status: "INVALID",
    } as const;
    await t.db.insert(bulkRows).values({ ...row, lineNo: 2, errorCode: "AMOUNT_FORMAT" });
    await t.db.insert(bulkRows).values({ ...row, lineNo: 3, errorCode: "ORDER_NOT_FOUND" });
    // The shape written before messages: both languages' words.
    const bothLanguages = (zh: string, en: string) => ({ zh, en }) as unknown as Message;
    await t.db
      .update(bulkRows)
      .set({ errorMessage: bothLanguages("找不到订单。", "No such order.") })
      .where(eq(bulkRows.lineNo, 2));
    await t.db
      .update(bulkRows)
      .set({ errorMessage: { key: "outcomes.bulk.validate.ORDER_NOT_FOUND" } })
      .where(eq(bulkRows.lineNo, 3));
    const [fileImport] = await t.db
      .insert(orderFileImports)
      .values({
        merchantId,
        fileName: "o.csv",
        encoding: "utf-8",
        totalRows: 2,
        importedRows: 0,
        unchangedRows: 0,
        problems: [],
      })
      .returning();
    const oldProblems = [
      { lineNo: 2, outTradeNo: "A", code: "INVALID_AMOUNT", message: bothLanguages("金额有误。", "Bad amount.") },
      {
        lineNo: 3,
        outTradeNo: "B",
        code: "HAS_REFUNDS",
        message: msg("outcomes.ordersImport.orderFile.HAS_REFUNDS"),
      },
    ];
    await t.db.update(orderFileImports).set({ problems: oldProblems }).where(eq(orderFileImports.id, fileImport!.id));

    const migration = readFileSync(path.join(process.cwd(), "drizzle/0020_one_translation_system.sql"), "utf8");
    for (const statement of migration.split("--> statement-breakpoint")) await t.sql.unsafe(statement);

    const rows = await t.db.select().from(bulkRows).orderBy(bulkRows.lineNo);
    expect(rows.map((r) => translate(r.errorMessage!, "zh-CN"))).toEqual([
      "找不到订单。",
      "该商户下找不到此商户订单号的订单。",
    ]);
    expect(rows.map((r) => translate(r.errorMessage!, "en"))).toEqual([
      "No such order.",
      "No order with this out_trade_no for this merchant.",
    ]);
    const [converted] = await t.db.select().from(orderFileImports).where(eq(orderFileImports.id, fileImport!.id));
    expect(converted!.problems.map((p) => [p.lineNo, p.code, translate(p.message, "en")])).toEqual([
      [2, "INVALID_AMOUNT", "Bad amount."],
      [
        3,
        "HAS_REFUNDS",
        "The order has refunds in the previous system: a file import takes only orders without refunds.",
      ],
    ]);
  });
});
