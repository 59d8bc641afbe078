import { eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { WebhookReceiver } from "../../tests/fixtures/webhook-receiver";
import { alertChannels, alertItems, alertMessages, gatewayExchanges, refunds } from "../db/schema";
import { systemResolver } from "../webhooks/ssrf";
import { dispatchAlerts, KIND_COOLDOWN_MS } from "./dispatch";
import { scanForAlerts } from "./scan";

describe("alerts: grouped, rate-limited, sent to the robots", () => {
  let t: TestDatabase;
  const robot = new WebhookReceiver();
  const start = new Date("2026-12-04T02:00:00Z");
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const deps = (now: Date) => ({
    appUrl: "https://console.example.com",
    policy: { allowPrivate: true },
    resolver: systemResolver,
    now,
  });
  const scan = (now: Date) => scanForAlerts(t.db, { now, stuckMinutes: 60 }, []);
  const contents = () => robot.received.map((r) => JSON.parse(r.body).markdown.content as string);

  beforeAll(async () => {
    t = await createTestDb();
    await t.db.insert(alertChannels).values({ kind: "wecom", name: "ops", url: await robot.start() });
  });
  afterAll(async () => {
    await robot.stop();
    await t.drop();
  });

  const stuckRefunds = async (count: number, createdAt: Date, status: "PENDING" | "PROCESSING" | "ABNORMAL") => {
    const order = await createPaidOrder(t.db, { totalFen: 100_000 });
    await t.db.insert(refunds).values(
      Array.from({ length: count }, (_, i) => ({
        orderId: order.id,
        merchantId: order.merchantId,
        outRefundNo: `R${status}${createdAt.getTime()}${i}`,
        amountFen: 100 + i,
        status,
        createdAt,
        updatedAt: createdAt,
      })),
    );
  };

  it("sends one message for 50 stuck refunds, naming ten and counting the rest, with a link to the console", async () => {
    await stuckRefunds(50, at(-120), "PROCESSING");
    await stuckRefunds(3, at(-10), "PENDING"); // not stuck yet
    await scan(start);
    expect(await t.db.select().from(alertItems)).toHaveLength(50);
    expect(await dispatchAlerts(t.db, deps(start))).toBe(1);
    expect(robot.received).toHaveLength(1);
    const content = contents()[0]!;
    expect(content).toContain("50 笔退款长时间未完成 / 50 refund(s) stuck");
    expect(content.match(/^- RPROCESSING/gm)).toHaveLength(10);
    expect(content).toContain("另有 40 项 / and 40 more");
    expect(content).toContain("(https://console.example.com/refunds?attention=1)");
    const [message] = await t.db.select().from(alertMessages);
    expect(message).toMatchObject({ kind: "refund_stuck", itemCount: 50, responseStatus: 204, error: null });
  });

  it("raises each refund once: scanning again finds nothing new to send", async () => {
    await scan(at(1));
    expect(await dispatchAlerts(t.db, deps(at(1)))).toBe(0);
    expect(robot.received).toHaveLength(1);
  });

  it("holds a kind within its cooldown, then sends what gathered as one message", async () => {
    await stuckRefunds(2, at(-100), "PENDING");
    await scan(at(2));
    expect(await dispatchAlerts(t.db, deps(at(2)))).toBe(0);
    expect(await t.db.select().from(alertItems).where(isNull(alertItems.sentAt))).toHaveLength(2);
    // Another kind is not held by this one's cooldown.
    await stuckRefunds(1, at(-1), "ABNORMAL");
    await scan(at(3));
    expect(await dispatchAlerts(t.db, deps(at(3)))).toBe(1);
    expect(contents().at(-1)).toContain("1 笔退款异常 (ABNORMAL)");
    expect(contents().at(-1)).toMatch(/\(https:\/\/console\.example\.com\/refunds\/RABNORMAL\d+0\)/);
    const afterCooldown = new Date(start.getTime() + KIND_COOLDOWN_MS + 1000);
    expect(await dispatchAlerts(t.db, deps(afterCooldown))).toBe(1);
    expect(contents().at(-1)).toContain("2 笔退款长时间未完成");
    expect(await t.db.select().from(alertItems).where(isNull(alertItems.sentAt))).toHaveLength(0);
  });

  it("records a robot's refusal (HTTP 200 with an error code) on the message", async () => {
    robot.status = 200;
    robot.reply = '{"errcode":45009,"errmsg":"api freq out of limit"}';
    try {
      await t.db.update(alertChannels).set({ enabled: true }).where(eq(alertChannels.kind, "wecom"));
      await stuckRefunds(1, at(-200), "PROCESSING");
      const later = at(30);
      await scan(later);
      expect(await dispatchAlerts(t.db, deps(later))).toBe(1);
      const [last] = await t.db.select().from(alertMessages).orderBy(alertMessages.id).limit(1).offset(3);
      expect(last).toMatchObject({ responseStatus: 200, error: "ROBOT_45009: api freq out of limit" });
    } finally {
      robot.status = 204;
      robot.reply = null;
    }
  });

  it("raises a high gateway error rate once per merchant and window", async () => {
    const order = await createPaidOrder(t.db, { totalFen: 1000 });
    const now = at(60);
    await t.db.insert(gatewayExchanges).values(
      Array.from({ length: 25 }, (_, i) => ({
        at: new Date(now.getTime() - 60_000),
        merchantId: order.merchantId,
        operation: "apply",
        method: "POST",
        path: "/v3/refund/domestic/refunds",
        responseStatus: i < 8 ? 500 : i < 10 ? null : 200,
        durationMs: 100,
      })),
    );
    await scan(now);
    await scan(new Date(now.getTime() + 1000));
    const raised = await t.db.select().from(alertItems).where(eq(alertItems.kind, "gateway_errors"));
    expect(raised).toHaveLength(1);
    expect(raised[0]!.detail).toMatchObject({ errors: 10, total: 25, percent: 40 });
    const before = robot.received.length;
    await dispatchAlerts(t.db, deps(now));
    const sent = contents().slice(before);
    expect(sent.filter((c) => c.includes("High WeChat Pay error rate"))).toHaveLength(1);
    expect(sent.find((c) => c.includes("error rate"))).toContain("10/25 (40%) · 10 min");
  });
});
