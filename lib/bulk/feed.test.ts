import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { claimFeedSlots } from "./feed";

const LIMITS = { rowsPerSecond: 100, windowMs: 200 };

describe("claimFeedSlots", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  /** Waits for the start of a second of the database's clock, so the claims that follow fall in one second. */
  async function freshSecond(): Promise<void> {
    const [row] = await t.db.execute<{ ms: number }>(
      sql`select extract(milliseconds from clock_timestamp())::float as ms`,
    );
    const ms = Number(row?.ms ?? 0) % 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000 - ms + 20));
  }

  it("lets a run that fell behind claim what it owes, and every run of the merchant together no more than the second's quota", async () => {
    await freshSecond();
    // Two runs of one merchant: a window's worth each, then one makes up a missed window (two windows' worth).
    const granted = [
      await claimFeedSlots(t.db, "m1", 20, LIMITS),
      await claimFeedSlots(t.db, "m1", 20, LIMITS),
      await claimFeedSlots(t.db, "m1", 40, LIMITS),
      await claimFeedSlots(t.db, "m1", 40, LIMITS),
    ];
    expect(granted).toEqual([20, 20, 40, 20]);
    // The second is full for this merchant; another merchant's quota is its own.
    expect(await claimFeedSlots(t.db, "m1", 20, LIMITS)).toBe(0);
    expect(await claimFeedSlots(t.db, "m2", 20, LIMITS)).toBe(20);
  });
});
