import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { hashPassword } from "@/lib/auth/password";
import { setDbForTests } from "@/lib/db/client";
import { userMerchants, users } from "@/lib/db/schema";
import { stopBoss } from "@/lib/jobs/boss";
import { fenToYuan } from "@/lib/money";
import { listActiveReasons } from "@/lib/refunds/reasons";
import { apiRequest, createTestKey } from "@/tests/fixtures/merchant-api";
import { sessionUser } from "@/tests/fixtures/session";
import { printInvariants } from "./invariants";
import { runChaos, type Channel } from "./run";
import { createWorld, type World } from "./world";

/**
 * `npm test` runs a short chaos run (CHAOS_ATTEMPTS, default 300); `npm run test:chaos` runs this file with 1,000,
 * and CHAOS_ATTEMPTS=10000 is the long run. The console action runs as in Next, with the signed-in operator given
 * by the session loader; the merchant API is its route handler. Both enqueue on the run's database.
 */
const ATTEMPTS = Number(process.env.CHAOS_ATTEMPTS ?? 300);
const KILLS = Number(process.env.CHAOS_KILLS ?? 3);
const PASSWORD = "chaos-operator-password";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/app/_server/session", () => ({
  currentUser: async () => session.user,
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: "127.0.0.1" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));
vi.mock("@/app/_server/message-text", () => import("@/tests/fixtures/message-text"));

describe(`chaos run: ${ATTEMPTS} refund attempts with faults and ${KILLS} kills`, () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
    process.env.DATABASE_URL = world.t.url;
    process.env.REFUND_ORDER_INTERVAL_SECONDS = "0";
    setDbForTests(world.t.db);
  });
  afterAll(async () => {
    await stopBoss();
    setDbForTests(undefined);
    await world.close();
  });

  it(
    "keeps every invariant",
    async () => {
      const [operator] = await world.t.db
        .insert(users)
        .values({
          email: "chaos-operator@example.com",
          name: "Chaos operator",
          passwordHash: await hashPassword(PASSWORD),
        })
        .returning();
      await world.t.db
        .insert(userMerchants)
        .values({ userId: operator!.id, merchantId: world.merchant.id, role: "operator" });
      session.user = sessionUser(operator!, "operator", world.merchant.id);
      const reason = (await listActiveReasons(world.t.db))[0]!.label;
      const key = await createTestKey(world.t.db, world.merchant.id);
      const { requestRefundAction } = await import("@/app/(console)/orders/[id]/actions");
      const { POST } = await import("@/app/api/v1/refunds/route");

      const action: Channel = async (order, amountFen) => {
        const form = new FormData();
        for (const [k, v] of Object.entries({
          orderId: String(order.id),
          amount: fenToYuan(amountFen),
          reason,
          password: PASSWORD,
        }))
          form.set(k, v);
        const result = await requestRefundAction(null, form);
        return result.ok;
      };
      const api: Channel = async (order, amountFen) => {
        const response = await POST(
          apiRequest("POST", "/api/v1/refunds", {
            key,
            body: { out_trade_no: order.outTradeNo, amount: amountFen, reason: "chaos" },
          }),
        );
        if (response.status >= 500) throw new Error(`API answered ${response.status}: ${await response.text()}`);
        return response.status === 202;
      };

      const lines: string[] = [];
      const log = (line: string) => {
        lines.push(line);
        console.log(line);
      };
      const report = await runChaos(world, { attempts: ATTEMPTS, kills: KILLS, channels: { action, api }, log });
      log(
        `chaos run: ${report.seconds} s; ${Object.entries(report.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
      );
      printInvariants(report.invariants, log);

      expect(report.counts.errors).toBe(0);
      expect(report.counts.recorded).toBeGreaterThan(ATTEMPTS / 4);
      // A forgery is refused (4xx), or finds no instance alive (502 from the proxy); it is never taken.
      expect(report.counts.forgedTaken).toBe(0);
      expect(report.counts.forgedRefused! + report.counts.forgedUnanswered!).toBe(report.counts.forged);
      expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    },
    60_000 + ATTEMPTS * 400,
  );
});
