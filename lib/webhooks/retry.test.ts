import { describe, expect, it } from "vitest";
import { nextAttemptAt, retryDelayMs, RETRY_WINDOW_MS } from "./retry";

describe("retry back-off", () => {
  it.each([
    [1, 0.5, 30_000],
    [2, 0.5, 60_000],
    [5, 0.5, 480_000],
    [10, 0.5, 15_360_000],
    [11, 0.5, 21_600_000], // capped at six hours
    [40, 0.5, 21_600_000],
    [1, 0, 24_000], // jitter: −20 %
    [1, 0.999_999, 36_000], // … to +20 %
  ])("after attempt %i with random %f waits %i ms", (attempt, random, ms) => {
    expect(retryDelayMs(attempt, () => random)).toBe(ms);
  });

  it("gives up when the next attempt would fall past three days from the first", () => {
    const first = new Date(0);
    const nearEnd = new Date(RETRY_WINDOW_MS - 21_600_000 + 1);
    expect(nextAttemptAt(first, 20, nearEnd, () => 0.5)).toBeNull();
    expect(nextAttemptAt(first, 1, new Date(0), () => 0.5)).toEqual(new Date(30_000));
  });
});
