import { describe, expect, it } from "vitest";
import {
  beijingDate,
  beijingDayStart,
  beijingIso,
  beijingPlain,
  formatBeijing,
  fromBeijingPlain,
} from "./beijing-time";

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

describe("Beijing days and wall-clock times (UTC+8, no daylight saving)", () => {
  it.each([
    // [instant, Beijing day, its first moment, RFC 3339, with milliseconds, APIv2 plain]
    [
      "2026-11-23T10:00:00.250Z",
      "2026-11-23",
      "2026-11-22T16:00:00.000Z",
      "2026-11-23T18:00:00+08:00",
      "2026-11-23T18:00:00.250+08:00",
      "2026-11-23 18:00:00",
    ],
    [
      "2026-11-23T15:59:59.999Z",
      "2026-11-23",
      "2026-11-22T16:00:00.000Z",
      "2026-11-23T23:59:59+08:00",
      "2026-11-23T23:59:59.999+08:00",
      "2026-11-23 23:59:59",
    ],
    // 00:00 in Beijing is already the next day there.
    [
      "2026-11-23T16:00:00.000Z",
      "2026-11-24",
      "2026-11-23T16:00:00.000Z",
      "2026-11-24T00:00:00+08:00",
      "2026-11-24T00:00:00.000+08:00",
      "2026-11-24 00:00:00",
    ],
    [
      "2024-02-28T16:30:00.000Z",
      "2024-02-29",
      "2024-02-28T16:00:00.000Z",
      "2024-02-29T00:30:00+08:00",
      "2024-02-29T00:30:00.000+08:00",
      "2024-02-29 00:30:00",
    ],
  ])("%s is %s in Beijing", (instant, day, start, iso, isoMs, plain) => {
    const at = new Date(instant);
    expect(beijingDate(at)).toBe(day);
    expect(beijingDayStart(day).toISOString()).toBe(start);
    expect(beijingIso(at)).toBe(iso);
    expect(beijingIso(at.getTime())).toBe(iso);
    expect(beijingIso(at, { milliseconds: true })).toBe(isoMs);
    expect(beijingPlain(at)).toBe(plain);
    expect(new Date(fromBeijingPlain(plain)!).getTime()).toBe(Math.floor(at.getTime() / 1000) * 1000);
  });

  it.each([["2026-11-23T18:00:00"], ["2026-11-23 18:00"], [""], [undefined], [20261123]])(
    "reads %j as no APIv2 time",
    (value) => expect(fromBeijingPlain(value)).toBeUndefined(),
  );

  it("has no first moment for a day that does not exist", () => {
    expect(Number.isNaN(beijingDayStart("2026-02-30").getTime())).toBe(false); // JavaScript rolls it over …
    expect(beijingDate(beijingDayStart("2026-02-30"))).not.toBe("2026-02-30"); // … so callers compare the day back
    expect(Number.isNaN(beijingDayStart("yesterday").getTime())).toBe(true);
  });
});
