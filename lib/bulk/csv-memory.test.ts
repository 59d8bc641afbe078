import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { parseBulkCsv } from "./csv";
import { MAX_BULK_BYTES } from "./limits";

const MB = 1024 * 1024;

/** A full garbage collection on demand, so that heap samples measure what is kept, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("bulk CSV parsing at the size limit", () => {
  it("refuses a 2 MB file of half a million tiny lines without holding them all in memory", () => {
    const line = "T,1\n";
    const bytes = new TextEncoder().encode(line.repeat(Math.floor(MAX_BULK_BYTES / line.length)));
    expect(bytes.byteLength).toBeLessThanOrEqual(MAX_BULK_BYTES);
    const gc = collector();
    gc();
    const before = process.memoryUsage().heapUsed;
    const parsed = parseBulkCsv(bytes);
    // Measured before any full collection: what parsing allocated and had not let go of yet.
    const grown = (process.memoryUsage().heapUsed - before) / MB;
    expect(parsed).toMatchObject({ ok: false, error: { code: "TOO_MANY_ROWS" } });
    // Parsing every line made ~524,000 records (over 300 MB of heap measured so); the limit stops at 10,002.
    expect(grown).toBeLessThan(40);
  });
});
