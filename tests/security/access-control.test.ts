import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { ROLES, mayUse } from "@/lib/auth/roles";
import { setDbForTests } from "@/lib/db/client";
import type { UserRole } from "@/lib/db/schema";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest, createMerchant, createTestKey } from "@/tests/fixtures/merchant-api";
import { processingRefund } from "@/tests/fixtures/notifications";
import { createPaidOrder, createUser } from "@/tests/fixtures/orders";
import { sessionUser } from "@/tests/fixtures/session";
import { ACTIONS, ROUTES } from "./access-tables";
import { routeHandlers, serverActions, type Callable } from "./server-modules";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/app/_server/session", () => ({
  MERCHANT_COOKIE: "rc_merchant",
  currentUser: async () => session.user,
  requirePageUser: async () => {
    throw new Error("pages are not under test here");
  },
  requestIp: async () => "127.0.0.1",
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: "127.0.0.1" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, updateTag: () => {} }));
vi.mock("@/app/_server/message-text", () => import("@/tests/fixtures/message-text"));
vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => ({ send: async () => "job", insert: async () => {}, notifyWorker: () => {} }),
  stopBoss: async () => {},
}));

describe("access control, enumerated", () => {
  let t: TestDatabase;
  let actions: Callable[];
  let routes: Callable[];
  const users = {} as Record<UserRole, CurrentUser>;
  let platformAdmin: CurrentUser;
  let fields: Record<string, string>;

  /**
   * Row counts of every table, the audit log without sign-in rows: what a refused call must leave alone. The per-minute
   * counters (rate_limit_windows) are left out: counting a request is what a rate limit does, refused or not.
   */
  async function footprint(): Promise<Record<string, number>> {
    const tables = await t.db.execute<{ name: string }>(
      sql`select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'rate_limit_windows'`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const where = name === "audit_log" ? sql` where action not like 'auth.%'` : sql``;
      const [row] = await t.db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${sql.identifier(name)}${where}`,
      );
      counts[name] = row!.n;
    }
    return counts;
  }

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    const order = await createPaidOrder(t.db);
    for (const role of ROLES) {
      const u = await createUser(t.db, role);
      // The admin is the merchant's: platform actions (merchants, shared reasons) are refused to them too.
      users[role] = sessionUser(u, role, order.merchantId);
    }
    const platform = await createUser(t.db, "admin", "platform-admin@example.com");
    platformAdmin = sessionUser(platform, "admin", order.merchantId, true);
    const refund = await processingRefund(t.db, {
      actor: { id: users.operator.id, label: "operator" },
      userId: users.operator.id,
      orderIntervalMs: 0,
    });
    // Plausible values for whatever fields an action reads: a forged call looks like a real one.
    fields = {
      orderId: String(order.id),
      amount: "1.00",
      reason: "forged",
      outRefundNo: refund.outRefundNo,
      refundId: String(refund.id),
      id: "1",
      userId: users.admin.id,
      role: "admin",
      email: "intruder@example.com",
      name: "Intruder",
      password: "intruder-password-1",
      label: "forged",
      mchid: "1900000999",
      active: "false",
    };
    actions = await serverActions();
    routes = await routeHandlers();
  });
  afterAll(async () => {
    setDbForTests(undefined);
    await t.drop();
  });

  const form = () => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return data;
  };
  const callAction = (action: Callable) =>
    (action.fn as unknown as (prev: null, data: FormData) => Promise<{ ok: boolean; code?: string }>)(null, form());

  it("knows every server action and every route handler", () => {
    expect(actions.map((a) => a.id).filter((id) => !(id in ACTIONS))).toEqual([]);
    expect(routes.map((r) => r.id).filter((id) => !(id in ROUTES))).toEqual([]);
    expect(Object.keys(ACTIONS).filter((id) => !actions.some((a) => a.id === id))).toEqual([]);
    expect(Object.keys(ROUTES).filter((id) => !routes.some((r) => r.id === id))).toEqual([]);
  });

  it("refuses every action to the signed out and to each role below its permission, changing nothing", async () => {
    const refusals: string[] = [];
    for (const action of actions) {
      const permission = ACTIONS[action.id];
      if (!permission || permission === "public") continue;
      const callers: [string, CurrentUser | null][] = [
        ["signed out", null],
        ...ROLES.filter((r) => !mayUse(users[r], permission)).map((r) => [r, users[r]] as [string, CurrentUser]),
      ];
      for (const [who, user] of callers) {
        session.user = user;
        const before = await footprint();
        const result = await callAction(action);
        expect(result, `${action.id} as ${who}`).toMatchObject({
          ok: false,
          code: user ? "FORBIDDEN" : "UNAUTHENTICATED",
        });
        expect(await footprint(), `${action.id} as ${who} changed something`).toEqual(before);
        refusals.push(`${action.id} ${who}`);
      }
    }
    expect(refusals.length).toBeGreaterThanOrEqual(actions.length);
  });

  it("lets the least role that holds the permission past the role check (the table says what the code does)", async () => {
    for (const action of actions) {
      const permission = ACTIONS[action.id];
      if (!permission || permission === "public") continue;
      const least = ROLES.find((r) => mayUse(users[r], permission));
      session.user = least ? users[least] : platformAdmin;
      const result = await callAction(action);
      expect(["FORBIDDEN", "UNAUTHENTICATED"], `${action.id} as ${least ?? "platform admin"}`).not.toContain(
        result.code,
      );
    }
  });

  it("answers 401 to signed-out callers of session routes, and 401 without a valid API key", async () => {
    session.user = null;
    const params = { params: Promise.resolve({ id: "1", outRefundNo: "R1", outTradeNo: "T1", nextauth: [] }) };
    for (const route of routes) {
      const access = ROUTES[route.id];
      const url = "http://localhost:3000/api/anything?x=1";
      if (access === "session") {
        const before = await footprint();
        const response = await (route.fn as unknown as (r: Request, p: unknown) => Promise<Response>)(
          Object.assign(new Request(url), { nextUrl: new URL(url), cookies: new Map() }),
          params,
        );
        expect(response.status, route.id).toBe(401);
        expect(await footprint(), route.id).toEqual(before);
      } else if (access === "metrics-token") {
        // The route reads the validated environment; with METRICS_TOKEN set, a scrape without the token is 401.
        vi.stubEnv("DATABASE_URL", t.url);
        vi.stubEnv("AUTH_SECRET", "access-control-test-secret-of-32-characters");
        vi.stubEnv("METRICS_TOKEN", "access-control-metrics-token");
        const response = await (route.fn as unknown as (r: Request) => Promise<Response>)(new Request(url));
        expect(response.status, route.id).toBe(401);
        vi.unstubAllEnvs();
      } else if (access === "api-key") {
        for (const key of [null, "rk_live_00000000000000000000000000000000"]) {
          const before = await footprint();
          const method = route.id.endsWith("#POST") ? "POST" : "GET";
          const response = await (route.fn as unknown as (r: Request, p: unknown) => Promise<Response>)(
            apiRequest(method, "/api/v1/x", {
              key,
              body: method === "POST" ? { out_trade_no: "T1", amount: 1 } : undefined,
            }),
            params,
          );
          expect(response.status, `${route.id} key ${key}`).toBe(401);
          expect(await footprint()).toEqual(before);
        }
      }
    }
  });

  it("keeps an API key to its own merchant: another merchant's order and refund are not found, nor refundable", async () => {
    const other = await createMerchant(t.db, "Other shop");
    const otherKey = await createTestKey(t.db, other.id);
    const order = await createPaidOrder(t.db);
    const refund = await processingRefund(t.db, {
      actor: { id: users.operator.id, label: "operator" },
      userId: users.operator.id,
      orderIntervalMs: 0,
    });
    const handler = (id: string) =>
      routes.find((r) => r.id === id)!.fn as unknown as (r: Request, p: unknown) => Promise<Response>;
    const before = await footprint();
    const getOrder = await handler("app/api/v1/orders/[outTradeNo]/route.ts#GET")(
      apiRequest("GET", `/api/v1/orders/${order.outTradeNo}`, { key: otherKey }),
      { params: Promise.resolve({ outTradeNo: order.outTradeNo }) },
    );
    const getRefund = await handler("app/api/v1/refunds/[outRefundNo]/route.ts#GET")(
      apiRequest("GET", `/api/v1/refunds/${refund.outRefundNo}`, { key: otherKey }),
      { params: Promise.resolve({ outRefundNo: refund.outRefundNo }) },
    );
    const post = await handler("app/api/v1/refunds/route.ts#POST")(
      apiRequest("POST", "/api/v1/refunds", { key: otherKey, body: { out_trade_no: order.outTradeNo, amount: 1 } }),
      undefined,
    );
    expect([getOrder.status, getRefund.status, post.status]).toEqual([404, 404, 404]);
    expect(await footprint()).toEqual(before);
  });
});
