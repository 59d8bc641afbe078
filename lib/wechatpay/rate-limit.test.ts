import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { busiestSecond } from "../../tests/fixtures/busiest-second";
import { nextGridPoint, SharedRateLimiter } from "./rate-limit";

describe("nextGridPoint", () => {
  it.each([
    ["the first request, with no grid yet", Number.NEGATIVE_INFINITY, 1000, 1010],
    ["a request that left on its point", 1000, 1000, 1010],
    ["a timer that fired a millisecond early", 1000, 999, 1010],
    ["a timer late by less than an interval: the grid stays", 1000, 1009, 1010],
    ["late by an interval or more, a stall: the grid starts again", 1000, 1010, 1020],
    ["a stall of 300 ms", 1000, 1300, 1310],
  ])("%s", (_, point, left, next) => {
    expect(nextGridPoint(point, left, 10)).toBe(next);
  });
});

describe("SharedRateLimiter", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("spaces requests evenly under the limit in every one-second span, across separate limiter instances", async () => {
    const limits = { requestsPerSecond: 40, errorsPerSecond: 6 };
    // Two "instances" of the console sharing one database, asked for 60 requests at once.
    const a = new SharedRateLimiter(t.db, "m1", limits);
    const b = new SharedRateLimiter(t.db, "m1", limits);
    const start = performance.now();
    const departures = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await (i % 2 ? a : b).acquire();
        return performance.now();
      }),
    );
    // 60 requests at 95 % of 40/s leave over about 1.55 s, one every 26.3 ms — not in bursts at second boundaries.
    expect(Math.max(...departures) - start).toBeGreaterThanOrEqual(59 * (1000 / (40 * 0.95)) - 20);
    expect(busiestSecond(departures)).toBeLessThanOrEqual(40);
    // Evenly: no three requests leave within one interval of each other (a burst would put dozens there).
    const sorted = departures.sort((x, y) => x - y);
    const crowded = sorted.filter((at, i) => i >= 2 && at - sorted[i - 2]! < 1000 / 40);
    expect(crowded.length).toBeLessThanOrEqual(3);
  });

  it("after this process stalls, the requests whose moment passed leave spaced, not at once", async () => {
    const limiter = new SharedRateLimiter(t.db, "m5", { requestsPerSecond: 40, errorsPerSecond: 6 });
    const departures: number[] = [];
    const all = Promise.all(
      Array.from({ length: 60 }, async () => {
        await limiter.acquire();
        departures.push(performance.now());
      }),
    );
    // A stall of 300 ms (a long GC, a busy event loop) while most of the sixty wait for their moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = performance.now();
    while (performance.now() - stalled < 300) {
      // blocking, as a stall does
    }
    await all;
    // The dozen held back do not leave together: no second holds more than the limit, as WeChat counts it, and no
    // three leave within one interval (timers may fire a millisecond early).
    expect(busiestSecond(departures)).toBeLessThanOrEqual(40);
    const sorted = departures.sort((a, b) => a - b);
    const crowded = sorted.filter((at, i) => i >= 2 && at - sorted[i - 2]! < 1000 / (40 * 0.95) - 2);
    expect(crowded).toEqual([]);
  });

  it("another merchant's requests do not wait for this one's", async () => {
    const limits = { requestsPerSecond: 10, errorsPerSecond: 6 };
    const busy = new SharedRateLimiter(t.db, "m2", limits);
    await busy.acquire();
    // m2's next 10 requests take the coming second.
    const queued = Promise.all(Array.from({ length: 10 }, () => busy.acquire()));
    const started = performance.now();
    await new SharedRateLimiter(t.db, "m3", limits).acquire();
    expect(performance.now() - started).toBeLessThan(500);
    await queued;
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("holds every instance back for a second once errors reach the limit", async () => {
    const limits = { requestsPerSecond: 150, errorsPerSecond: 3 };
    const limiter = new SharedRateLimiter(t.db, "m4", limits);
    await limiter.acquire();
    for (let i = 0; i < 2; i++) await limiter.recordError();
    let started = performance.now();
    await limiter.acquire();
    // Two errors: under the limit, no pause.
    expect(performance.now() - started).toBeLessThan(500);
    await limiter.recordError();
    started = performance.now();
    await new SharedRateLimiter(t.db, "m4", limits).acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("counts errors in a sliding second: those either side of a second's boundary pause together, older ones not", async () => {
    const limits = { requestsPerSecond: 150, errorsPerSecond: 3 };
    const limiter = new SharedRateLimiter(t.db, "m6", limits);
    await limiter.acquire();
    await limiter.recordError();
    await limiter.recordError();
    // 1.1 s later the two have left the second: a third error alone does not pause.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await limiter.recordError();
    let started = performance.now();
    await limiter.acquire();
    expect(performance.now() - started).toBeLessThan(500);
    // 600 ms on, a calendar second has begun in between (or not): with the one before, three in a second.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await limiter.recordError();
    await limiter.recordError();
    started = performance.now();
    await limiter.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });
});
