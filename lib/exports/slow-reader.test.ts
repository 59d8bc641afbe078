import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createDatabase } from "../db/client";
import { parseRefundFilters } from "../db/queries/refunds";
import { exportRefundsCsv } from "./refunds";

/**
 * A download that stalls must not starve the console (#17): exports run on connections of their own (getExportDb),
 * and a statement timeout ends one that stalls for good. Here with a one-connection page pool and a 1.5 s timeout.
 */
describe("CSV exports and slow readers", () => {
  let t: TestDatabase;
  let merchantId: string;

  beforeAll(async () => {
    t = await createTestDb();
    const [merchant] = await t.sql<{ id: string }[]>`
      insert into merchants (mchid, appid, display_name) values ('1900000109', 'wx1', 'Shop') returning id`;
    merchantId = merchant!.id;
    await t.sql`insert into orders (merchant_id, out_trade_no, transaction_id, total_fen, paid_at)
      select ${merchantId}, 'O' || i, '42000000' || lpad(i::text, 20, '0'), 100000, now() - interval '1 day'
      from generate_series(1, 200) i`;
    await t.sql`insert into refunds (order_id, merchant_id, out_refund_no, amount_fen, status, created_at)
      select o.id, o.merchant_id, 'R' || g, 1, 'SUCCESS', now() - make_interval(secs => g)
      from generate_series(1, 20000) g join orders o on o.out_trade_no = 'O' || (1 + g % 200)`;
  }, 60_000);
  afterAll(() => t.drop());

  it("keeps the pages' connections free while a download stalls, and times the stalled one out", async () => {
    const pages = createDatabase(t.url, { max: 1 });
    const exports = createDatabase(t.url, { max: 1, settings: { statement_timeout: "1500" } });
    try {
      const text = { header: (c: string) => c, status: (s: string) => s, origin: (o: string) => o };
      const reader = exportRefundsCsv(exports.db, merchantId, parseRefundFilters({}), text).getReader();
      await reader.read(); // the header
      await reader.read(); // the first batch: the cursor is open, its connection held
      // The reader stalls. Meanwhile the pages' only connection answers at once, again and again.
      const started = performance.now();
      for (let i = 0; i < 20; i++) await pages.db.execute(sql`select count(*) from refunds`);
      expect(performance.now() - started).toBeLessThan(1000);

      await new Promise((resolve) => setTimeout(resolve, 2000));
      // Past the timeout the stalled download ends with an error, and its connection serves again.
      await expect(
        (async () => {
          for (;;) if ((await reader.read()).done) return "finished";
        })(),
      ).rejects.toThrow(/statement timeout/);
      const [row] = await exports.db.execute<{ one: number }>(sql`select 1 as one`);
      expect(row).toEqual({ one: 1 });
    } finally {
      await pages.sql.end();
      await exports.sql.end();
    }
  });
});
