import { sql } from "drizzle-orm";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, setDbForTests } from "@/lib/db/client";
import { merchants, refunds } from "@/lib/db/schema";
import { observeCallback } from "@/lib/ops/metrics";
import { metered } from "@/lib/ops/metered-gateway";
import { metricsResponse } from "@/lib/ops/metrics-endpoint";
import { checkReadiness, setJobsState } from "@/lib/ops/readiness";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createPaidOrder } from "@/tests/fixtures/orders";
import { ScriptedGateway } from "@/tests/fixtures/scripted-gateway";

const { GET: ready } = await import("./ready/route");

const TOKEN = "metrics-token-for-tests-0123456789";

describe("operations endpoints", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
  });
  afterAll(async () => {
    setDbForTests(undefined);
    setJobsState("starting");
    await t.drop();
  });

  describe("/api/ready", () => {
    it("is 200 only when the database answers, every migration is applied and the job workers run (or are off on purpose)", async () => {
      setJobsState("running");
      const answer = await ready();
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        status: "ready",
        checks: { database: true, migrations: true, jobs: "running" },
      });
      setJobsState("disabled");
      expect((await ready()).status).toBe(200);
      for (const state of ["starting", "failed"] as const) {
        setJobsState(state);
        const refused = await ready();
        expect(refused.status).toBe(503);
        expect(await refused.json()).toMatchObject({ status: "not_ready", checks: { jobs: state } });
      }
    });

    it("is not ready on a database without this build's migrations, or one that does not answer", async () => {
      const admin = createDatabase(t.url.replace(/\/[^/]+$/, "/postgres"), { max: 1 });
      const bare = `rc_bare_${process.pid}`;
      await admin.sql.unsafe(`drop database if exists ${bare}`);
      await admin.sql.unsafe(`create database ${bare}`);
      const unmigrated = createDatabase(t.url.replace(/\/[^/]+$/, `/${bare}`), { max: 1 });
      expect(await checkReadiness(unmigrated.db, "running")).toEqual({
        ready: false,
        checks: { database: true, migrations: false, jobs: "running" },
      });
      await unmigrated.sql.end();
      await admin.sql.unsafe(`drop database ${bare} with (force)`);
      await admin.sql.end();

      const unreachable = createDatabase("postgres://postgres@127.0.0.1:1/none", { max: 1 });
      expect(await checkReadiness(unreachable.db, "running")).toMatchObject({
        ready: false,
        checks: { database: false, migrations: false },
      });
      await unreachable.sql.end();
    });
  });

  describe("/api/metrics", () => {
    const queues = async () => ({
      names: ["refund-submit", "refund-reconcile"],
      size: async (name: string) => (name === "refund-submit" ? 7 : 0),
    });
    const scrape = (authorization?: string, token = TOKEN) =>
      metricsResponse(
        new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }),
        token,
        t.db,
        queues,
      );

    it("does not exist without METRICS_TOKEN", async () => {
      expect((await scrape(`Bearer ${TOKEN}`, "")).status).toBe(404);
    });

    it("answers 401 without the bearer token or with a wrong one", async () => {
      for (const header of [undefined, `Bearer ${TOKEN}x`, TOKEN, "Basic abc"]) {
        const answer = await scrape(header);
        expect(answer.status).toBe(401);
        expect(answer.headers.get("WWW-Authenticate")).toContain("Bearer");
      }
    });

    it("exposes refunds by merchant and status, gateway calls, callbacks and queue depth in the Prometheus text format", async () => {
      const order = await createPaidOrder(t.db, { totalFen: 5_000 });
      await t.db.insert(refunds).values([
        { orderId: order.id, merchantId: order.merchantId, outRefundNo: "RMETRIC1", amountFen: 100, status: "SUCCESS" },
        { orderId: order.id, merchantId: order.merchantId, outRefundNo: "RMETRIC2", amountFen: 100, status: "SUCCESS" },
        { orderId: order.id, merchantId: order.merchantId, outRefundNo: "RMETRIC3", amountFen: 100, status: "FAILED" },
      ]);
      await t.db.execute(sql`update orders set refunded_fen = 200, refund_count = 3 where id = ${order.id}`);
      const [merchant] = await t.db.select().from(merchants);
      const gateway = metered(new ScriptedGateway().script({ code: "SYSTEM_ERROR", status: 500 }));
      const submission = {
        outRefundNo: "RMETRIC9",
        transactionId: "4200",
        outTradeNo: "T",
        amountFen: 1,
        totalFen: 2,
        reason: "",
      };
      await gateway.apply(submission);
      await gateway.apply(submission);
      observeCallback("refund", "verified", "applied");
      observeCallback("refund", "refused", "SIGNATURE_INVALID");

      const answer = await scrape(`Bearer ${TOKEN}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("Content-Type")).toContain("text/plain");
      const families = parsePrometheusTextFormat(await answer.text());
      const family = (name: string) => families.find((f) => f.name === name);
      const value = (name: string, labels: Record<string, string>) =>
        family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

      expect(family("refunds")?.type).toBe("GAUGE");
      expect(value("refunds", { merchant: merchant!.mchid, status: "SUCCESS" })).toBe("2");
      expect(value("refunds", { merchant: merchant!.mchid, status: "FAILED" })).toBe("1");
      expect(value("wechatpay_requests_total", { operation: "refund_apply", outcome: "SYSTEM_ERROR" })).toBe("1");
      expect(value("wechatpay_requests_total", { operation: "refund_apply", outcome: "ok" })).toBe("1");
      expect(family("wechatpay_request_duration_seconds")?.type).toBe("HISTOGRAM");
      expect(value("wechatpay_callbacks_total", { kind: "refund", verification: "verified", outcome: "applied" })).toBe(
        "1",
      );
      expect(
        value("wechatpay_callbacks_total", { kind: "refund", verification: "refused", outcome: "SIGNATURE_INVALID" }),
      ).toBe("1");
      expect(value("job_queue_depth", { queue: "refund-submit" })).toBe("7");
      expect(family("process_cpu_seconds_total")).toBeDefined();
    });
  });
});
