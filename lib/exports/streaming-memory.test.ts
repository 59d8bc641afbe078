import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { parseRefundFilters } from "../db/queries/refunds";
import { exportRefundsCsv } from "./refunds";

const ROWS = 100_000;
const MB = 1024 * 1024;

/** A full garbage collection on demand, so that heap samples measure what is kept, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("CSV export at scale", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDb();
    await t.sql`insert into merchants (mchid, appid, display_name) values ('1900000109', 'wx1', '演示咖啡')`;
    await t.sql`insert into orders (merchant_id, out_trade_no, transaction_id, total_fen, paid_at)
      select m.id, 'O' || i, '4200000000' || lpad(i::text, 18, '0'), 1000000, now() - interval '2 days'
      from generate_series(1, 1000) i, merchants m`;
    await t.sql`insert into refunds (order_id, merchant_id, out_refund_no, amount_fen, status, reason, created_at, finished_at)
      select first.id + i % 1000, first.merchant_id, 'R' || i, 1 + i % 99999, 'SUCCESS', '商品质量问题，顾客申请退款 #' || i,
        now() - make_interval(secs => i), now() - make_interval(secs => i) + interval '90 seconds'
      from generate_series(1, ${ROWS}) i, (select min(id) as id, min(merchant_id::text)::uuid as merchant_id from orders) first`;
  }, 120_000);

  afterAll(async () => {
    await t.drop();
  });

  it("CSV export of 100,000 refunds streamed with bounded memory", async () => {
    const gc = collector();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakKept = 0;
    let bytes = 0;
    let lines = 0;
    let chunks = 0;
    const [merchant] = await t.sql<{ id: string }[]>`select id from merchants limit 1`;
    const text = { header: (c: string) => c, status: (s: string) => s, origin: (o: string) => o };
    const reader = exportRefundsCsv(t.db, merchant!.id, parseRefundFilters({}), text).getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      bytes += next.value.byteLength;
      for (const byte of next.value) if (byte === 0x0a) lines++;
      // Sample what the stream keeps alive mid-way (every few batches: a full collection takes a few milliseconds).
      if (++chunks % 5 === 0) {
        gc();
        peakKept = Math.max(peakKept, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(lines).toBe(ROWS + 1);
    // The file is over 10 MB as bytes and far more as the rows' objects and strings; what stays alive while streaming
    // is a batch or two (well under 1 MB each), so the bound leaves room for V8's noise and nothing for the whole file.
    expect(bytes).toBeGreaterThan(10 * MB);
    expect(chunks).toBeGreaterThan(50);
    expect(peakKept).toBeLessThan(8 * MB);
  }, 120_000);
});
