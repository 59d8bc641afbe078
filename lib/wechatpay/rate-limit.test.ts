import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { SharedRateLimiter } from "./rate-limit";

describe("SharedRateLimiter", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("lets at most the limit through per second, counted across separate limiter instances", async () => {
    const limits = { requestsPerSecond: 20, errorsPerSecond: 6 };
    // Two "instances" of the console sharing one database.
    const a = new SharedRateLimiter(t.db, "m1", limits);
    const b = new SharedRateLimiter(t.db, "m1", limits);
    const start = Date.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).acquire()));
    // 50 requests at 20 per second need at least two second boundaries.
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    // Seconds are the database's (every instance's common clock): each admitted at most the limit, so 50 admissions
    // took at least three of them; attempts beyond the limit were counted and sent back to wait. (Times taken in
    // this process would blur the seconds by however late the event loop runs under load.)
    const rows = await t.db.execute<{ window_start: string; count: number }>(
      sql`select window_start, count from rate_limit_windows where bucket = 'm1:requests' order by window_start`,
    );
    const admittedPerSecond = [...rows].map((r) => Math.min(Number(r.count), limits.requestsPerSecond));
    expect(admittedPerSecond.reduce((sum, n) => sum + n, 0)).toBe(50);
    expect(admittedPerSecond.length).toBeGreaterThanOrEqual(3);
  });

  it("holds everything back for the rest of the second once errors pass the limit", async () => {
    const limiter = new SharedRateLimiter(t.db, "m2", { requestsPerSecond: 150, errorsPerSecond: 3 });
    for (let i = 0; i < 3; i++) await limiter.recordError();
    await limiter.acquire();
    const rows = await t.db.execute<{ bucket: string; window_start: string; count: number }>(
      sql`select bucket, window_start::text, count from rate_limit_windows where bucket like 'm2:%'`,
    );
    const stormSeconds = [...rows]
      .filter((r) => r.bucket === "m2:errors" && Number(r.count) >= 3)
      .map((r) => r.window_start);
    const requestSeconds = [...rows].filter((r) => r.bucket === "m2:requests").map((r) => r.window_start);
    expect(requestSeconds).toHaveLength(1);
    // The request went out in a second without an error storm.
    expect(stormSeconds).not.toContain(requestSeconds[0]);
  });
});
