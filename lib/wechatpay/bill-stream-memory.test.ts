import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BILL_COLUMNS, BILL_SUMMARY_COLUMNS } from "./bill-file";
import { byteChunks, readBillStream } from "./bill-stream";
import { TRADE_BILL_KEY_COLUMN } from "./trade-bill";

const MB = 1024 * 1024;
const LINES = 200_000;

/** A full garbage collection on demand, so that heap samples measure what is kept, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("a streamed bill", () => {
  it("keeps none of the lines it has read: the heap does not grow with the bill", async () => {
    const line = (i: number) =>
      `\`2026-11-20 10:00:00,\`wx8888888888888888,\`1900000109,\`0,\`,\`4200000000${String(i).padStart(18, "0")},\`T${i},\`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,\`JSAPI,\`SUCCESS,\`OTHERS,\`CNY,\`1.00,\`0.00,\`0,\`0,\`0.00,\`0.00,\`,\`,\`商品,\`,\`0.01000,\`0.60%,\`1.00,\`0.00,\``;
    const parts = [BILL_COLUMNS.join(",")];
    for (let i = 0; i < LINES; i++) parts.push(line(i));
    parts.push(BILL_SUMMARY_COLUMNS.join(","), `\`${LINES},\`0.00,\`0.00,\`0.00,\`0.00000,\`0.00,\`0.00`, "");
    const plain = Buffer.from(parts.join("\r\n"), "utf8");
    parts.length = 0;
    const gzip = gzipSync(plain);
    const plainMb = plain.byteLength / MB;

    const gc = collector();
    gc();
    const before = process.memoryUsage().heapUsed;
    let kept = 0;
    const read = await readBillStream(byteChunks(gzip), {
      requiredColumn: TRADE_BILL_KEY_COLUMN,
      onLine: (lineNo) => {
        if (lineNo % 50_000 === 0) {
          gc();
          kept = Math.max(kept, (process.memoryUsage().heapUsed - before) / MB);
        }
        return { ok: true, value: undefined };
      },
    });
    expect(read).toMatchObject({ ok: true, value: { lineCount: LINES } });
    expect(plainMb).toBeGreaterThan(40);
    // What the reader holds at any point: a chunk, a partial line and its counters, not the lines read.
    expect(kept).toBeLessThan(8);
  }, 60_000);
});
