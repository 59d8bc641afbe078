import { eq } from "drizzle-orm";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { billDays, merchants } from "../db/schema";
import { previousBillDate } from "../reconciliation/bill-date";
import { err } from "../result";
import { wechatPayError } from "../wechatpay/errors";
import { BILL_QUEUES, DAILY_CRON, startBillWorkers } from "./bill-jobs";
import { createRefundQueues } from "./refund-jobs";
import { until } from "../../tests/fixtures/until";

describe("bill jobs on pg-boss", () => {
  let t: TestDatabase;
  let boss: PgBoss;

  beforeAll(async () => {
    t = await createTestDb();
    boss = new PgBoss({ connectionString: t.url, schema: "pgboss", max: 3, supervise: false });
    await boss.start();
    await createRefundQueues(boss);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, wait: true });
    await t.drop();
  });

  it("on start-up fetches yesterday's bill of every active merchant, and schedules the daily run at 10:30 Beijing time", async () => {
    const [active] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx8888888888888888", displayName: "Active" })
      .returning();
    await t.db
      .insert(merchants)
      .values({ mchid: "1900000110", appid: "wx8888888888888888", displayName: "Disabled", active: false });
    const asked: string[] = [];
    const resolveSource = async (merchantId: string) => {
      asked.push(merchantId);
      return err(wechatPayError("business", "STATEMENT_CREATING", "账单生成中", 400));
    };
    await startBillWorkers(boss, { db: t.db, resolveSource, pollingIntervalSeconds: 0.5 });
    const days = () => t.db.select().from(billDays);
    await until(async () => (await days()).some((d) => d.status === "MISSING"));
    const [day] = await days();
    expect(day).toMatchObject({
      merchantId: active!.id,
      billDate: previousBillDate(new Date()),
      status: "MISSING",
      attempts: 1,
      lastErrorCode: "STATEMENT_CREATING",
    });
    expect(asked).toEqual([active!.id]);
    const schedules = await boss.getSchedules();
    expect(schedules.find((s) => s.name === BILL_QUEUES.daily)).toMatchObject({
      cron: DAILY_CRON,
      options: expect.objectContaining({ tz: "Asia/Shanghai" }),
    });
    expect(schedules.map((s) => s.name)).toContain(BILL_QUEUES.retry);
    const [row] = await t.db.select().from(billDays).where(eq(billDays.id, day!.id));
    expect(row!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });
});
