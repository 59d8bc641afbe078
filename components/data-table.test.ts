import { describe, expect, it } from "vitest";
import { presentFields } from "./data-table";

describe("presentFields", () => {
  it("leaves out null and false fields and keeps every other value, zero and empty text too", () => {
    const createdAt = new Date("2026-12-05T08:00:00Z");
    const row = { id: 0, createdAt, lastErrorCode: null, reason: "", abnormal: false, flagged: true, name: null };
    expect(presentFields(row)).toStrictEqual({ id: 0, createdAt, reason: "", flagged: true });
  });

  it("keeps a row whose fields are all present as it is", () => {
    const row = { id: 7, outRefundNo: "R7", requesterName: "Li Lei", lastErrorCode: "SYSTEM_ERROR" };
    expect(presentFields(row)).toStrictEqual(row);
  });
});
