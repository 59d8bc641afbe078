import { createHash, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notifications } from "@/lib/db/schema";
import { receiveRefundNotification } from "@/lib/notifications/receive";
import { purgeRefusedCallbacks, REFUSED_BODY_KEPT_BYTES, REFUSED_ROWS_PER_MINUTE } from "@/lib/notifications/refused";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { freshMinute } from "@/tests/fixtures/minute";
import { post } from "@/tests/fixtures/notifications";

/** A stranger cannot fill the disk through the notify URL (#17). */
describe("refused callbacks are kept within bounds", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    // A new minute for every test: the counters are per minute.
    await freshMinute(t.db);
    await t.db.execute(sql`delete from notifications`);
  });

  const forged = (body: string | Buffer, source = "203.0.113.7", extra: Record<string, string> = {}) =>
    post("/api/notify/refund", typeof body === "string" ? body : new Uint8Array(body), {
      "Content-Type": "application/json",
      "Wechatpay-Serial": "PUB_KEY_ID_FORGED",
      "Wechatpay-Signature": "Zm9yZ2Vk",
      "Wechatpay-Timestamp": String(Math.floor(Date.now() / 1000)),
      "Wechatpay-Nonce": "nonce",
      "X-Forwarded-For": source,
      ...extra,
    });
  const rows = () => t.db.select().from(notifications);

  it("stores the first 8 KiB of a refused body with its size and SHA-256, and header values cut short", async () => {
    const body = Buffer.from(`{"id":"x","pad":"${"退".repeat(20_000)}"}`);
    const answer = await receiveRefundNotification(t.db, forged(body, "203.0.113.7", { "X-Junk": "j".repeat(4000) }), {
      merchants: async () => [],
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    const [row] = await rows();
    expect(row).toMatchObject({
      verification: "rejected",
      rawBodyBytes: body.byteLength,
      rawBodySha256: createHash("sha256").update(body).digest("hex"),
    });
    expect(Buffer.byteLength(row!.rawBody, "utf8")).toBeLessThanOrEqual(REFUSED_BODY_KEPT_BYTES + 3);
    expect(row!.rawBody.startsWith('{"id":"x","pad":"退退')).toBe(true);
    expect(row!.headers["x-junk"]).toHaveLength(256);
  });

  it("keeps only the announced size of a body refused unread for its size", async () => {
    const big = randomBytes(70 * 1024);
    const answer = await receiveRefundNotification(
      t.db,
      forged(big, "203.0.113.8", { "Content-Length": String(big.byteLength) }),
      {
        merchants: async () => [],
      },
    );
    expect(answer.status).toBe(413);
    const [row] = await rows();
    expect(row).toMatchObject({ rawBody: "", rawBodyBytes: big.byteLength, rejectionCode: "BODY_TOO_LARGE" });
  });

  it("answers every forgery alike but stores a few per source and minute, and a few in all", async () => {
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) {
      answers.push((await receiveRefundNotification(t.db, forged("{}"), { merchants: async () => [] })).status);
    }
    expect(new Set(answers).size).toBe(1);
    expect(await rows()).toHaveLength(REFUSED_ROWS_PER_MINUTE.perSource);
    // Every attempt counts towards the minute's total: past it, even a new source is not stored.
    await receiveRefundNotification(t.db, forged("{}", "198.51.100.250"), { merchants: async () => [] });
    expect(await rows()).toHaveLength(REFUSED_ROWS_PER_MINUTE.perSource);
    // In a new minute, forged source addresses reach the total and no more.
    await freshMinute(t.db);
    await t.db.execute(sql`delete from notifications`);
    for (let i = 0; i < 100; i++) {
      await receiveRefundNotification(t.db, forged("{}", `198.51.100.${i}`), { merchants: async () => [] });
    }
    expect(await rows()).toHaveLength(REFUSED_ROWS_PER_MINUTE.total);
  });

  it("purges refused callbacks past the retention, keeping verified ones whatever their age", async () => {
    const old = new Date(Date.now() - 15 * 86_400_000);
    const base = { protocol: "v3" as const, headers: {}, rawBody: "{}", receivedAt: old };
    await t.db.insert(notifications).values([
      { ...base, verification: "rejected", outcome: "rejected", notificationId: "OLD-REFUSED" },
      { ...base, verification: "verified", outcome: "applied", notificationId: "OLD-VERIFIED" },
      { ...base, verification: "rejected", outcome: "rejected", notificationId: "NEW-REFUSED", receivedAt: new Date() },
    ]);
    expect(await purgeRefusedCallbacks(t.db, 14)).toBe(1);
    const left = await t.db.select({ id: notifications.notificationId }).from(notifications);
    expect(left.map((r) => r.id).sort()).toEqual(["NEW-REFUSED", "OLD-VERIFIED"]);
    expect(await t.db.select().from(notifications).where(eq(notifications.notificationId, "OLD-REFUSED"))).toEqual([]);
  });
});
