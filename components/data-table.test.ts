import { describe, expect, it } from "vitest";
import { presentFields } from "./data-table";

describe("presentFields", () => {
  it("leaves out null fields and keeps every other value, falsy ones too", () => {
    const createdAt = new Date("2026-12-05T08:00:00Z");
    expect(
      presentFields({ id: 0, createdAt, lastErrorCode: null, reason: "", unknown: false, requesterName: null }),
    ).toStrictEqual({ id: 0, createdAt, reason: "", unknown: false });
  });

  it("keeps a row whose fields are all present as it is", () => {
    const row = { id: 7, outRefundNo: "R7", requesterName: "Li Lei", lastErrorCode: "SYSTEM_ERROR" };
    expect(presentFields(row)).toStrictEqual(row);
  });
});
