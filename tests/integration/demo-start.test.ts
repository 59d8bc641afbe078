import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../db";
import type { Database } from "@/lib/db/client";
import { merchantCredentials, merchants, orders, refunds } from "@/lib/db/schema";
import { openSecrets } from "@/lib/merchants/credential-secrets";
import { DEMO_MERCHANT } from "@/lib/setup/demo-seed";
import { DEMO_V2_MERCHANT } from "@/lib/setup/demo-seed-v2";
import { setUpMerchants } from "@/lib/setup/merchants-at-start";
import { startDemoGateway } from "../../scripts/demo-gateway";
import { refundAsConsole } from "../../simulator/test-support/console-process";

const DAY = 86_400_000;
const dataDir = mkdtempSync(join(tmpdir(), "demo-start-"));
const masterKey = randomBytes(32);
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** What `npm start` does before the console starts: migrate (the template is migrated), seed, start the simulator. */
async function start(now: Date) {
  const t = await createTestDb();
  databases.push(t);
  const set = await setUpMerchants(t.db, {}, now);
  const gateway = await startDemoGateway(t.db, {
    dataDir,
    port: 0,
    tlsPort: 0,
    appUrl: "http://127.0.0.1:9",
    masterKey,
  });
  return { t, set, gateway };
}

async function unrefundedOrder(db: Database, mchid: string) {
  const [row] = await db
    .select({ order: orders })
    .from(orders)
    .innerJoin(merchants, eq(merchants.id, orders.merchantId))
    .where(and(eq(merchants.mchid, mchid), eq(orders.refundCount, 0)))
    .orderBy(asc(orders.paidAt))
    .limit(1);
  if (!row) throw new Error(`no unrefunded order of ${mchid}`);
  return row.order;
}

/** The APIv2 demo merchant's credentials as the console opens them: from its active sealed version. */
async function storedV2(db: Database) {
  const [row] = await db
    .select({ version: merchantCredentials })
    .from(merchantCredentials)
    .innerJoin(merchants, eq(merchants.id, merchantCredentials.merchantId))
    .where(and(eq(merchants.mchid, DEMO_V2_MERCHANT.mchid), eq(merchantCredentials.status, "active")));
  const secrets = openSecrets(masterKey, row!.version);
  if (!secrets.ok) throw new Error("the sealed version does not open");
  return { mchid: DEMO_V2_MERCHANT.mchid, appid: DEMO_V2_MERCHANT.appid, secrets: secrets.value };
}

const submissionFor = (order: typeof orders.$inferSelect, outRefundNo: string) => ({
  outRefundNo,
  transactionId: order.transactionId,
  outTradeNo: order.outTradeNo,
  amountFen: 1,
  totalFen: order.totalFen,
  reason: "",
});

describe("npm start with a fresh database beside an old .data/", () => {
  it("starts, forgets the old run's orders and refunds, and refunds over APIv3 and APIv2", async () => {
    // A previous run, days ago, whose database is then lost; its simulator state and keys stay in .data/.
    const old = await start(new Date(Date.now() - 3 * DAY));
    const oldV2Order = await unrefundedOrder(old.t.db, DEMO_V2_MERCHANT.mchid);
    try {
      expect(old.gateway.apiV2Credentials).toBe("added");
      const applied = await refundAsConsole(old.gateway.env, {
        v2: await storedV2(old.t.db),
        submission: submissionFor(oldV2Order, "ROLD-V2-1"),
      });
      expect(applied.applied).toMatchObject({ ok: true });
    } finally {
      await old.gateway.stop();
    }
    const oldState = readFileSync(join(dataDir, "simulator", "state.json"), "utf8");
    expect(oldState).toContain("ROLD-V2-1");

    // The fresh database's demo is seeded today: its order and refund numbers clash with the saved state's.
    const fresh = await start(new Date());
    try {
      expect(fresh.set.demo.seeded).toBe(true);
      expect(fresh.set.demoApiV2.seeded).toBe(true);
      expect(fresh.gateway.apiV2Credentials).toBe("added");
      // The same keys as before: the simulator's material under .data/ was reused, not made anew.
      expect(fresh.gateway.env.WECHATPAY_MERCHANT_SERIAL_NO).toBe(old.gateway.env.WECHATPAY_MERCHANT_SERIAL_NO);
      expect(fresh.gateway.apiV2?.p12.equals(old.gateway.apiV2!.p12)).toBe(true);

      // A refund goes out for each demo merchant, with the keys the console holds.
      const v3Order = await unrefundedOrder(fresh.t.db, DEMO_MERCHANT.mchid);
      const v3 = await refundAsConsole(fresh.gateway.env, { submission: submissionFor(v3Order, "RNEW-V3-1") });
      expect(v3.applied).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
      const v2Order = await unrefundedOrder(fresh.t.db, DEMO_V2_MERCHANT.mchid);
      const v2 = await refundAsConsole(fresh.gateway.env, {
        v2: await storedV2(fresh.t.db),
        submission: submissionFor(v2Order, "RNEW-V2-1"),
      });
      expect(v2.applied).toMatchObject({ ok: true, value: { status: "PROCESSING" } });

      // The simulator holds the fresh database's history, not the old run's.
      const [seeded] = await fresh.t.db.select().from(refunds).where(eq(refunds.status, "SUCCESS")).limit(1);
      const known = await refundAsConsole(fresh.gateway.env, { outRefundNo: seeded!.outRefundNo });
      expect(known.queried).toMatchObject({ ok: true, value: { status: "SUCCESS", refundId: seeded!.refundId } });
      const forgotten = await refundAsConsole(fresh.gateway.env, {
        v2: await storedV2(fresh.t.db),
        outRefundNo: "ROLD-V2-1",
      });
      expect(forgotten.queried).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
    } finally {
      await fresh.gateway.stop();
    }
  });
});
