import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, toPage } from "./keyset";

describe("keyset cursors", () => {
  it("round-trips microseconds and id", () => {
    const cursor = encodeCursor(1_714_528_800_123_456, 42);
    expect(cursor).toBe("1714528800123456.42");
    expect(decodeCursor(cursor)).toEqual({ micros: 1_714_528_800_123_456, id: 42 });
  });

  it("rejects anything else", () => {
    for (const junk of [undefined, null, "", "abc", "1.2.3", "-1.2", "1.", "99999999999999999.1"]) {
      expect(decodeCursor(junk)).toBeNull();
    }
  });

  it("cuts a page and points the next cursor at its last row", () => {
    const rows = [1, 2, 3].map((id) => ({ id, cursorMicros: 1000 - id, name: `r${id}` }));
    expect(toPage(rows, 2)).toEqual({
      rows: [
        { id: 1, name: "r1" },
        { id: 2, name: "r2" },
      ],
      nextCursor: "998.2",
    });
    expect(toPage(rows, 3).nextCursor).toBeNull();
  });
});
