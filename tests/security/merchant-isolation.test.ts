import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { ROLES, mayUse, PLATFORM_PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { setDbForTests } from "@/lib/db/client";
import { listActiveReasons } from "@/lib/refunds/reasons";
import {
  bankCardApplications,
  billDays,
  bulkBatches,
  bulkRows,
  notifications,
  orderFileImports,
  reconciliationMismatches,
  type UserRole,
  webhookDeliveries,
} from "@/lib/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit/append";
import { createEndpoint, sendTestEvent } from "@/lib/webhooks/endpoints";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createMerchant, createTestKey } from "@/tests/fixtures/merchant-api";
import { processingRefund } from "@/tests/fixtures/notifications";
import { createPaidOrder, createUser } from "@/tests/fixtures/orders";
import { sessionUser } from "@/tests/fixtures/session";
import { ACTIONS, ROUTES } from "./access-tables";
import { routeHandlers, serverActions, type Callable } from "./server-modules";

/** Merchant A's objects, which merchant B's users try to reach by naming them. */
interface Targets {
  merchantId: string;
  orderId: number;
  outTradeNo: string;
  outRefundNo: string;
  memberId: string;
  apiKeyId: string;
  webhookEndpointId: string;
  webhookDeliveryId: number;
  notificationId: number;
  mismatchId: number;
  batchId: number;
  cardApplicationId: number;
  fileImportId: number;
  /** An active refund reason, so a refund form is valid in every other way. */
  reason: string;
}

type Fields = Record<string, string | File>;

/**
 * What each merchant-scoped action is given to reach merchant A's object. `names` actions must answer "not found";
 * `creates` actions make something new, which must land in the caller's own merchant. A new action without an entry
 * fails the suite: whoever adds it decides how it is kept to its merchant.
 */
const ACTION_TARGETS: Record<string, { names: (a: Targets) => Fields } | { creates: (a: Targets) => Fields }> = {
  "app/_server/merchant-actions.ts#switchMerchantAction": { names: (a) => ({ merchantId: a.merchantId }) },
  "app/(console)/orders/[id]/actions.ts#requestRefundAction": {
    names: (a) => ({ orderId: String(a.orderId), amount: "1.00", reason: a.reason, password: "x" }),
  },
  // A lookup imports into the caller's own merchant, from its own WeChat Pay account: A's number is not found there.
  "app/(console)/orders/actions.ts#lookUpPaymentAction": { creates: (a) => ({ number: a.outTradeNo }) },
  "app/(console)/refunds/[outRefundNo]/actions.ts#retryRefundAction": {
    names: (a) => ({ outRefundNo: a.outRefundNo }),
  },
  "app/(console)/refunds/[outRefundNo]/actions.ts#applyAbnormalRefundAction": {
    names: (a) => ({ outRefundNo: a.outRefundNo, type: "MERCHANT_BANK_CARD" }),
  },
  "app/(console)/refunds/[outRefundNo]/actions.ts#decideBankCardApplicationAction": {
    names: (a) => ({ applicationId: String(a.cardApplicationId), decision: "approve" }),
  },
  "app/(console)/approvals/actions.ts#approveRefundAction": { names: (a) => ({ outRefundNo: a.outRefundNo }) },
  "app/(console)/approvals/actions.ts#rejectRefundAction": {
    names: (a) => ({ outRefundNo: a.outRefundNo, note: "not yours" }),
  },
  "app/(console)/notifications/actions.ts#reapplyNotificationAction": {
    names: (a) => ({ id: String(a.notificationId) }),
  },
  "app/(console)/orders/import/actions.ts#requestBackfillAction": {
    creates: () => ({ fromDate: "2024-01-02", toDate: "2024-01-03" }),
  },
  "app/(console)/orders/import/actions.ts#importOrderFileAction": {
    // A number of B's own: the tests below search B for A's numbers.
    creates: () => ({
      file: new File(
        [
          `支付时间（北京时间）,商户订单号,微信支付订单号,订单金额（元）\n2024-01-02 10:00:00,BFILE00001,42000001,1.00\n`,
        ],
        "a.csv",
      ),
    }),
  },
  "app/(console)/refunds/bulk/actions.ts#uploadBatchAction": {
    creates: (a) => ({ file: new File([`out_trade_no,amount,reason\n${a.outTradeNo},1.00,x\n`], "a.csv") }),
  },
  "app/(console)/refunds/bulk/actions.ts#confirmBatchAction": { names: (a) => ({ batchId: String(a.batchId) }) },
  "app/(console)/refunds/bulk/actions.ts#decideBatchAction": {
    names: (a) => ({ batchId: String(a.batchId), decision: "approve" }),
  },
  "app/(console)/refunds/bulk/actions.ts#pauseBatchAction": { names: (a) => ({ batchId: String(a.batchId) }) },
  "app/(console)/refunds/bulk/actions.ts#resumeBatchAction": { names: (a) => ({ batchId: String(a.batchId) }) },
  "app/(console)/refunds/bulk/actions.ts#cancelBatchAction": { names: (a) => ({ batchId: String(a.batchId) }) },
  "app/(console)/reconciliation/actions.ts#runReconciliationAction": { creates: () => ({ billDate: "2024-01-02" }) },
  "app/(console)/reconciliation/actions.ts#queryMismatchAction": { names: (a) => ({ id: String(a.mismatchId) }) },
  "app/(console)/reconciliation/actions.ts#acceptMismatchAction": { names: (a) => ({ id: String(a.mismatchId) }) },
  "app/(console)/reconciliation/actions.ts#explainMismatchAction": {
    names: (a) => ({ id: String(a.mismatchId), note: "mine now" }),
  },
  "app/(console)/admin/users/actions.ts#createUserAction": {
    creates: () => ({ name: "New", email: "new-member@example.com", role: "admin" }),
  },
  "app/(console)/admin/users/actions.ts#changeRoleAction": { names: (a) => ({ userId: a.memberId, role: "viewer" }) },
  "app/(console)/admin/users/actions.ts#setDisabledAction": {
    names: (a) => ({ userId: a.memberId, disabled: "true" }),
  },
  "app/(console)/admin/users/actions.ts#setDailyLimitAction": {
    names: (a) => ({ userId: a.memberId, dailyLimit: "1" }),
  },
  "app/(console)/admin/users/actions.ts#resetPasswordAction": { names: (a) => ({ userId: a.memberId }) },
  "app/(console)/admin/users/actions.ts#removeMemberAction": { names: (a) => ({ userId: a.memberId }) },
  "app/(console)/admin/api-keys/actions.ts#createApiKeyAction": { creates: () => ({ name: "B's key" }) },
  "app/(console)/admin/api-keys/actions.ts#revokeApiKeyAction": { names: (a) => ({ id: a.apiKeyId }) },
  "app/(console)/admin/webhooks/actions.ts#createWebhookEndpointAction": {
    creates: () => ({ url: "https://b.example.com/hooks", "refund.succeeded": "on" }),
  },
  "app/(console)/admin/webhooks/actions.ts#setWebhookEndpointStatusAction": {
    names: (a) => ({ id: a.webhookEndpointId, status: "disabled" }),
  },
  "app/(console)/admin/webhooks/actions.ts#deleteWebhookEndpointAction": {
    names: (a) => ({ id: a.webhookEndpointId }),
  },
  "app/(console)/admin/webhooks/actions.ts#rotateWebhookSecretAction": { names: (a) => ({ id: a.webhookEndpointId }) },
  "app/(console)/admin/webhooks/actions.ts#sendWebhookTestAction": { names: (a) => ({ id: a.webhookEndpointId }) },
  "app/(console)/admin/webhooks/actions.ts#resendWebhookDeliveryAction": {
    names: (a) => ({ deliveryId: String(a.webhookDeliveryId) }),
  },
};

/** The session routes, each asked for merchant A's object (or, for exports, searched for it). */
const ROUTE_TARGETS: Record<string, (a: Targets) => { path: string; params: Record<string, string> }> = {
  "app/api/orders/[id]/refund-status/route.ts#GET": (a) => ({ path: "/", params: { id: String(a.orderId) } }),
  "app/api/refunds/[outRefundNo]/evidence/route.ts#GET": (a) => ({
    path: "/",
    params: { outRefundNo: a.outRefundNo },
  }),
  "app/api/export/orders/route.ts#GET": (a) => ({ path: `/api/export/orders?q=${a.outTradeNo}`, params: {} }),
  "app/api/export/refunds/route.ts#GET": (a) => ({ path: `/api/export/refunds?q=${a.outRefundNo}`, params: {} }),
  "app/(console)/refunds/bulk/[id]/progress/route.ts#GET": (a) => ({ path: "/", params: { id: String(a.batchId) } }),
  "app/(console)/refunds/bulk/[id]/results/route.ts#GET": (a) => ({ path: "/", params: { id: String(a.batchId) } }),
  "app/(console)/orders/import/[id]/errors/route.ts#GET": (a) => ({
    path: "/",
    params: { id: String(a.fileImportId) },
  }),
  "app/(console)/notifications/[id]/details/route.ts#GET": (a) => ({
    path: "/",
    params: { id: String(a.notificationId) },
  }),
};

/** What an action says when the object it names is not the caller's merchant's: exactly as if it did not exist. */
const NOT_FOUND_CODES = [
  "ORDER_NOT_FOUND",
  "REFUND_NOT_FOUND",
  "NOT_FOUND",
  "USER_NOT_FOUND",
  "API_KEY_NOT_FOUND",
  "MISMATCH_NOT_OPEN",
  "MERCHANT_NOT_FOUND",
  "APPLICATION_NOT_FOUND",
  "ENDPOINT_NOT_FOUND",
  "DELIVERY_NOT_FOUND",
];

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/app/_server/session", () => ({
  MERCHANT_COOKIE: "rc_merchant",
  currentUser: async () => session.user,
  requestIp: async () => "127.0.0.1",
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: "127.0.0.1" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, updateTag: () => {} }));
vi.mock("@/app/_server/message-text", () => import("@/tests/fixtures/message-text"));
vi.mock("next/headers", () => ({ cookies: async () => ({ get: () => undefined, set: () => {} }) }));
vi.mock("@/lib/jobs/boss", () => ({
  getBoss: async () => ({ send: async () => "job", insert: async () => {}, notifyWorker: () => {} }),
  stopBoss: async () => {},
}));

describe("merchant isolation, enumerated", () => {
  let t: TestDatabase;
  let a: Targets;
  let merchantB: string;
  const usersOfB = {} as Record<UserRole, CurrentUser>;
  let actions: Callable[];
  let routes: Callable[];

  /**
   * Everything of merchant A, row by row: each table with a merchant_id, and the rows hanging from them (timelines,
   * batch lines, bill lines, A's members). A call by B's users must leave it exactly as it was.
   */
  async function footprintOfA(): Promise<string> {
    const tables = await t.db.execute<{ name: string }>(sql`
      select table_name as name from information_schema.columns
      where table_schema = 'public' and column_name = 'merchant_id' order by table_name`);
    const parts: string[] = [];
    const hash = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ h: string | null }>(query))[0]?.h ?? "";
    for (const { name } of tables) {
      const table = sql.identifier(name);
      parts.push(
        `${name}:${await hash(sql`select md5(string_agg(x::text, '|' order by x::text)) as h
        from ${table} x where x.merchant_id = ${a.merchantId}`)}`,
      );
    }
    parts.push(
      await hash(sql`select md5(string_agg(e::text, '|' order by e.id)) as h from refund_events e
        join refunds r on r.id = e.refund_id where r.merchant_id = ${a.merchantId}`),
      await hash(sql`select md5(string_agg(l::text, '|' order by l.id)) as h from bulk_rows l
        join bulk_batches b on b.id = l.batch_id where b.merchant_id = ${a.merchantId}`),
      await hash(sql`select md5(string_agg(u::text, '|' order by u.id)) as h from users u
        join user_merchants m on m.user_id = u.id where m.merchant_id = ${a.merchantId}`),
      await hash(sql`select md5(m::text) as h from merchants m where m.id = ${a.merchantId}`),
      await hash(sql`select md5(string_agg(d::text, '|' order by d.id)) as h from webhook_deliveries d
        join webhook_endpoints e on e.id = d.endpoint_id where e.merchant_id = ${a.merchantId}`),
    );
    return parts.join("\n");
  }

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    // Actions may read the validated environment (the master key for sealed cards); the app always has these.
    vi.stubEnv("DATABASE_URL", t.url);
    vi.stubEnv("AUTH_SECRET", "merchant-isolation-test-secret-32-chars");
    const order = await createPaidOrder(t.db);
    const merchantId = order.merchantId;
    const member = await createUser(t.db, "admin", "a-admin@example.com", merchantId);
    const refund = await processingRefund(t.db, {
      actor: { id: member.id, label: member.email },
      userId: member.id,
      orderIntervalMs: 0,
    });
    await createTestKey(t.db, merchantId);
    const [key] = await t.db.execute<{ id: string }>(sql`select id from api_keys where merchant_id = ${merchantId}`);
    const [notification] = await t.db
      .insert(notifications)
      .values({
        protocol: "v3",
        headers: {},
        rawBody: "{}",
        notificationId: "N-A-EARLY",
        verification: "verified",
        outcome: "unmatched",
        merchantId,
        decrypted: { out_refund_no: refund.outRefundNo },
      })
      .returning();
    const [day] = await t.db.insert(billDays).values({ merchantId, billDate: "2024-01-01" }).returning();
    const [mismatch] = await t.db
      .insert(reconciliationMismatches)
      .values({ billDayId: day!.id, merchantId, kind: "MISSING_FROM_BILL", outRefundNo: refund.outRefundNo })
      .returning();
    const [card] = await t.db
      .insert(bankCardApplications)
      .values({
        refundId: refund.id,
        merchantId,
        bankType: "ICBC_DEBIT",
        maskedAccount: "************4567",
        maskedName: "张*",
        cardSealed: "v1.sealed",
        enteredBy: member.id,
      })
      .returning();
    const endpoint = await createEndpoint(
      t.db,
      merchantId,
      { url: "https://a.example.com/hooks", events: ["refund.succeeded"] },
      { actor: SYSTEM_ACTOR, policy: { allowPrivate: false } },
    );
    if (!endpoint.ok) throw new Error(endpoint.error.code);
    await sendTestEvent(t.db, merchantId, endpoint.value.endpoint.id, {
      actor: SYSTEM_ACTOR,
      policy: { allowPrivate: false },
    });
    const [delivery] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, endpoint.value.endpoint.id));
    const [batch] = await t.db
      .insert(bulkBatches)
      .values({ merchantId, fileName: "a.csv", totalRows: 1, validRows: 1, validAmountFen: 100, createdBy: member.id })
      .returning();
    await t.db.insert(bulkRows).values({
      batchId: batch!.id,
      lineNo: 2,
      outTradeNo: order.outTradeNo,
      amountText: "1.00",
      full: false,
      amountFen: 100,
      reason: "a",
      orderId: order.id,
      outRefundNo: "RBULKA0001",
      status: "READY",
    });
    const [fileImport] = await t.db
      .insert(orderFileImports)
      .values({
        merchantId,
        fileName: "a.csv",
        encoding: "utf-8",
        totalRows: 1,
        importedRows: 0,
        unchangedRows: 0,
        problems: [
          {
            lineNo: 2,
            outTradeNo: "X",
            code: "INVALID_AMOUNT",
            message: { key: "outcomes.ordersImport.orderFile.INVALID_AMOUNT" },
          },
        ],
        uploadedBy: member.id,
      })
      .returning();
    a = {
      fileImportId: fileImport!.id,
      merchantId,
      orderId: order.id,
      outTradeNo: order.outTradeNo,
      outRefundNo: refund.outRefundNo,
      memberId: member.id,
      apiKeyId: key!.id,
      webhookEndpointId: endpoint.value.endpoint.id,
      webhookDeliveryId: delivery!.id,
      notificationId: notification!.id,
      mismatchId: mismatch!.id,
      batchId: batch!.id,
      reason: (await listActiveReasons(t.db))[0]!.label,
      cardApplicationId: card!.id,
    };
    merchantB = (await createMerchant(t.db, "Shop B")).id;
    for (const role of ROLES) {
      usersOfB[role] = sessionUser(await createUser(t.db, role, `b-${role}@example.com`, merchantB), role, merchantB);
    }
    actions = await serverActions();
    routes = await routeHandlers();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    setDbForTests(undefined);
    await t.drop();
  });

  const merchantScoped = (id: string) => {
    const permission = ACTIONS[id];
    return permission !== undefined && permission !== "public" && !PLATFORM_PERMISSIONS.includes(permission);
  };

  it("knows how every merchant-scoped action and every session route reaches a merchant's objects", () => {
    const scoped = actions.map((x) => x.id).filter(merchantScoped);
    expect(scoped.filter((id) => !(id in ACTION_TARGETS))).toEqual([]);
    expect(Object.keys(ACTION_TARGETS).filter((id) => !scoped.includes(id))).toEqual([]);
    const sessionRoutes = routes.map((r) => r.id).filter((id) => ROUTES[id] === "session");
    expect(sessionRoutes.filter((id) => !(id in ROUTE_TARGETS))).toEqual([]);
    expect(Object.keys(ROUTE_TARGETS).filter((id) => !sessionRoutes.includes(id))).toEqual([]);
  });

  it("answers not found to every role of merchant B naming merchant A's objects, and changes nothing of A", async () => {
    const before = await footprintOfA();
    let calls = 0;
    for (const action of actions.filter((x) => merchantScoped(x.id))) {
      const target = ACTION_TARGETS[action.id]!;
      const permission = ACTIONS[action.id] as Permission;
      for (const role of ROLES.filter((r) => mayUse(usersOfB[r], permission))) {
        session.user = usersOfB[role];
        const fields = "names" in target ? target.names(a) : target.creates(a);
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.set(k, v);
        const result = await (
          action.fn as unknown as (p: null, f: FormData) => Promise<{ ok: boolean; code?: string }>
        )(null, form).catch((e: unknown) => {
          // A redirect (the switcher) is a success: it must not happen for A's merchant.
          throw new Error(`${action.id} as ${role} threw ${String(e)}`);
        });
        if ("names" in target) {
          expect(result, `${action.id} as ${role}`).toMatchObject({ ok: false });
          expect(NOT_FOUND_CODES, `${action.id} as ${role}: ${result.code}`).toContain(result.code);
        }
        expect(await footprintOfA(), `${action.id} as ${role} changed merchant A`).toBe(before);
        calls += 1;
      }
    }
    expect(calls).toBeGreaterThan(40);
  });

  it("puts what B's users create in B: an upload naming A's order finds no such order", async () => {
    const upload = actions.find((x) => x.id.endsWith("#uploadBatchAction"))!;
    session.user = usersOfB.operator;
    const form = new FormData();
    form.set("file", new File([`out_trade_no,amount,reason\n${a.outTradeNo},1.00,x\n`], "mine.csv"));
    const result = await (upload.fn as unknown as (p: null, f: FormData) => Promise<{ ok: boolean; data?: unknown }>)(
      null,
      form,
    );
    expect(result).toMatchObject({ ok: true });
    const { batchId } = (result as { data: { batchId: number } }).data;
    const [batch] = await t.db.select().from(bulkBatches).where(eq(bulkBatches.id, batchId));
    expect(batch!.merchantId).toBe(merchantB);
    const lines = await t.db.select().from(bulkRows).where(eq(bulkRows.batchId, batchId));
    expect(lines.map((l) => [l.status, l.orderId, l.errorCode])).toEqual([["INVALID", null, "ORDER_NOT_FOUND"]]);
  });

  it("answers 404 to every session route asked by B's users for A's objects; exports hold none of A's rows", async () => {
    for (const route of routes.filter((r) => ROUTES[r.id] === "session")) {
      for (const role of ROLES) {
        session.user = usersOfB[role];
        const { path, params } = ROUTE_TARGETS[route.id]!(a);
        const url = `http://localhost:3000${path}`;
        const request = Object.assign(new Request(url), { nextUrl: new URL(url), cookies: new Map() });
        const response = await (route.fn as unknown as (r: Request, p: unknown) => Promise<Response>)(request, {
          params: Promise.resolve(params),
        });
        if (route.id.startsWith("app/api/export/")) {
          expect(response.status, `${route.id} as ${role}`).toBe(200);
          const csv = await response.text();
          // The header line only: A's numbers are not B's.
          expect(csv.trim().split("\n"), `${route.id} as ${role}`).toHaveLength(1);
        } else {
          expect(response.status, `${route.id} as ${role}`).toBe(404);
        }
      }
    }
  });
});
