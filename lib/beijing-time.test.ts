import { describe, expect, it } from "vitest";
import { formatBeijing } from "./beijing-time";

describe("formatBeijing", () => {
  it.each([
    // 15:00 UTC is 23:00 the same day in Beijing; 17:00 UTC is already the next day there.
    ["zh-CN", "2024-04-30T15:00:00Z", "2024-04-30 23:00:00"],
    ["zh-CN", "2024-05-01T17:05:09Z", "2024-05-02 01:05:09"],
    ["en", "2024-04-30T15:00:00Z", "Apr 30, 2024, 23:00:00"],
    ["en", "2024-05-01T16:00:00Z", "May 2, 2024, 00:00:00"],
    ["en-GB", "2024-12-31T16:00:00.999Z", "Jan 1, 2025, 00:00:00"],
    ["zh", "2024-12-31T16:00:00Z", "2025-01-01 00:00:00"],
  ])("%s %s → %s", (locale, iso, expected) => {
    expect(formatBeijing(new Date(iso), locale)).toBe(expected);
  });
});
