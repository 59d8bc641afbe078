import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { busiestSecond } from "../../tests/fixtures/busiest-second";
import { SharedRateLimiter } from "./rate-limit";

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

  it("after this process stalls, the requests whose moment passed leave one interval apart, not at once", async () => {
    const limiter = new SharedRateLimiter(t.db, "m5", { requestsPerSecond: 40, errorsPerSecond: 6 });
    const departures: number[] = [];
    const all = Promise.all(
      Array.from({ length: 12 }, async () => {
        await limiter.acquire();
        departures.push(performance.now());
      }),
    );
    // A stall of 200 ms (a long GC, a busy event loop) while most of the twelve wait for their moment.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stalled = performance.now();
    while (performance.now() - stalled < 200) {
      // blocking, as a stall does
    }
    await all;
    const gaps = departures.sort((a, b) => a - b).map((at, i) => (i === 0 ? Infinity : at - departures[i - 1]!));
    // Spaced at 26 ms (95 % of 40/s); timers may fire a few ms early or late, never together.
    expect(Math.min(...gaps)).toBeGreaterThan(15);
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
});
