import { describe, expect, it } from "vitest";
import { formatAuditValue, splitAuditDetails } from "./details";

describe("splitAuditDetails", () => {
  it.each([
    ["nothing", {}, { changes: [], other: [] }],
    [
      "changed fields only, in before's order, other details beside them",
      {
        before: { role: "viewer", name: "Vic", disabled: false },
        after: { role: "operator", name: "Vic", disabled: true },
        reason: "promoted",
      },
      {
        changes: [
          { field: "role", before: "viewer", after: "operator" },
          { field: "disabled", before: false, after: true },
        ],
        other: [["reason", "promoted"]],
      },
    ],
    [
      "a field only after (added) and only before (removed)",
      { before: { a: 1 }, after: { b: 2 } },
      {
        changes: [
          { field: "a", before: 1, after: undefined },
          { field: "b", before: undefined, after: 2 },
        ],
        other: [],
      },
    ],
    [
      "before alone (a retry records the status it left)",
      { before: { status: "FAILED", lastErrorCode: "SYSTEM_ERROR" } },
      {
        changes: [
          { field: "status", before: "FAILED", after: undefined },
          { field: "lastErrorCode", before: "SYSTEM_ERROR", after: undefined },
        ],
        other: [],
      },
    ],
    [
      "nested values compare by value",
      { before: { limits: { daily: 1 } }, after: { limits: { daily: 1 } } },
      { changes: [], other: [] },
    ],
    [
      "plain values kept as they are",
      { before: "old", after: "new" },
      { changes: [{ field: "", before: "old", after: "new" }], other: [] },
    ],
    [
      "no before/after: only details",
      { reason: "wrong_password", locked: true },
      {
        changes: [],
        other: [
          ["reason", "wrong_password"],
          ["locked", true],
        ],
      },
    ],
  ])("%s", (_name, details, expected) => {
    expect(splitAuditDetails(details)).toEqual(expected);
  });
});

describe("formatAuditValue", () => {
  it.each([
    ["amountFen", 123456, "¥1,234.56"],
    ["approvalThresholdFen", 0, "¥0.00"],
    ["amountFen", "12", "12"],
    ["count", 3, "3"],
    ["locked", false, "false"],
    ["status", "SUCCESS", "SUCCESS"],
    ["note", null, "—"],
    ["note", undefined, "—"],
    ["limits", { daily: 1 }, '{"daily":1}'],
    ["ids", [1, 2], "[1,2]"],
  ])("%s = %j → %s", (field, value, expected) => {
    expect(formatAuditValue(field, value)).toBe(expected);
  });
});
