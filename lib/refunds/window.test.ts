import { describe, expect, it } from "vitest";
import { refundWindow } from "./window";

describe("refundWindow", () => {
  const paidAt = new Date("2024-03-10T12:00:00+08:00");

  it("counts whole days left, rounding up", () => {
    expect(refundWindow(paidAt, new Date("2024-03-10T12:00:00+08:00"))).toMatchObject({ daysLeft: 365, closed: false });
    expect(refundWindow(paidAt, new Date("2025-03-10T11:59:59+08:00"))).toMatchObject({ daysLeft: 1, closed: false });
  });

  it("closes one calendar year after payment", () => {
    const w = refundWindow(paidAt, new Date("2025-03-10T12:00:00+08:00"));
    expect(w).toMatchObject({ daysLeft: 0, closed: true });
    expect(w.closesAt.toISOString()).toBe("2025-03-10T04:00:00.000Z");
    expect(refundWindow(paidAt, new Date("2026-01-01T00:00:00+08:00")).daysLeft).toBe(0);
  });

  it("spans a leap day as a calendar year", () => {
    expect(refundWindow(new Date("2024-01-10T00:00:00Z"), new Date("2024-01-10T00:00:00Z")).daysLeft).toBe(366);
  });
});
