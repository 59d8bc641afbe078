import { describe, expect, it } from "vitest";
import { ERRORS_PER_SECOND, RateLimiter, REQUESTS_PER_SECOND } from "./rate-limit";

describe("RateLimiter", () => {
  it("lets 150 requests per second and merchant through, in a sliding window", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < REQUESTS_PER_SECOND; i++) expect(limiter.admit("A", 1000 + i)).toBeUndefined();
    expect(limiter.admit("A", 1500)).toEqual({ kind: "RATE_LIMITED", message: undefined });
    expect(limiter.admit("B", 1500)).toBeUndefined(); // per merchant
    expect(limiter.admit("A", 2000)).toBeUndefined(); // the request made at 1000 has left the window
  });

  it("refuses everything after 6 erroneous requests within a second", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < ERRORS_PER_SECOND; i++) {
      expect(limiter.admit("A", 1000)).toBeUndefined();
      limiter.recordError("A", 1000);
    }
    expect(limiter.admit("A", 1999)?.kind).toBe("ERROR_RATE_LIMITED");
    expect(limiter.admit("A", 2000)).toBeUndefined();
    limiter.recordError("A", 2000);
    limiter.clear();
    expect(limiter.admit("A", 2000)).toBeUndefined();
  });
});
