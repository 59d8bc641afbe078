/**
 * The control API under /_sim/: not WeChat's surface, but how tests and the console's start script set the
 * simulator up and look inside. Only answers requests from this machine, and asks for a bearer token when one is
 * configured (SIM_CONTROL_TOKEN).
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Scheduler } from "../clock";
import type { RefundDesk } from "../domain/desk";
import { applyPatch, merchantInputSchema, merchantPatchSchema, publicView, upsertMerchant } from "../domain/merchants";
import { buildTradeBill } from "../domain/bills";
import { importRefunds, refundsBodySchema } from "../domain/refund-import";
import { registerTransactions, transactionsBodySchema } from "../domain/transactions";
import { billAdjustmentInputSchema, faultKindSchema, notifySettingsSchema, scriptSchema } from "../state/schema";
import type { StateStore } from "../state/store";
import type { FaultBox } from "./faults";
import { header, json, type Answer, type ApiRequest } from "./io";
import { renderPage } from "./page";
import type { RequestLog } from "./request-log";
import type { RobotInbox, RobotKind } from "./robots";

export interface ControlContext {
  store: StateStore;
  desk: RefundDesk;
  faults: FaultBox;
  requests: RequestLog;
  robots: RobotInbox;
  scheduler: Scheduler;
  /** SIM_TIME_SCALE, shown by GET /_sim/config. */
  timeScale: number;
  controlToken?: string;
  /** Empties the state (keeping merchants if asked) and forgets timers, faults and logs. */
  reset(keepMerchants: boolean): void;
}

type Handler = (ctx: ControlContext, req: ApiRequest, match: RegExpExecArray) => Answer;

const problem = (status: number, error: string) => json(status, { error });

/** The JSON body checked against `schema`, or the 400 answer that says what is wrong. */
function body<T>(req: ApiRequest, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; answer: Answer } {
  let value: unknown;
  try {
    value = req.body.trim() === "" ? {} : JSON.parse(req.body);
  } catch {
    return { ok: false, answer: problem(400, "body is not JSON") };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
  return { ok: false, answer: problem(400, issues.join("; ")) };
}

const filterBy = <T extends { mchid: string; outRefundNo?: string }>(items: T[], query: URLSearchParams) =>
  items.filter(
    (item) =>
      (!query.get("mchid") || item.mchid === query.get("mchid")) &&
      (!query.get("outRefundNo") || item.outRefundNo === query.get("outRefundNo")),
  );

const outcomeSchema = scriptSchema.extend({ mchid: z.string().optional(), outRefundNo: z.string().min(1).optional() });
const faultInputSchema = z
  .object({
    kind: faultKindSchema,
    count: z.number().int().min(1).max(1000).optional(),
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
    method: z.enum(["GET", "POST"]).optional(),
    path: z.string().startsWith("/").optional(),
  })
  .refine((f) => f.kind !== "slow" || f.delayMs !== undefined, "slow needs delayMs");
const configSchema = z.object({
  settleMs: z.number().int().nonnegative().nullable().optional(),
  orderIntervalMs: z.number().int().nonnegative().nullable().optional(),
});

function effectiveConfig(ctx: ControlContext): Answer {
  return json(200, {
    settleMs: ctx.desk.settleMs,
    orderIntervalMs: ctx.store.state.config.orderIntervalMs ?? null,
    timeScale: ctx.timeScale,
  });
}

const ROUTES: [string, RegExp, Handler][] = [
  [
    "GET",
    /^\/_sim\/?$/,
    (ctx) => ({
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8" },
      body: renderPage(ctx.store.state, ctx.robots.list()),
    }),
  ],
  ["GET", /^\/_sim\/merchants$/, (ctx) => json(200, Object.values(ctx.store.state.merchants).map(publicView))],
  [
    "POST",
    /^\/_sim\/merchants$/,
    (ctx, req) => {
      const input = body(req, merchantInputSchema);
      if (!input.ok) return input.answer;
      const result = upsertMerchant(ctx.store.state, input.value);
      if (!result.ok) return problem(400, result.error);
      ctx.store.commit();
      return json(result.value.created ? 201 : 200, result.value);
    },
  ],
  [
    "GET",
    /^\/_sim\/merchants\/(\d+)$/,
    (ctx, _req, m) => {
      const merchant = ctx.store.state.merchants[m[1] ?? ""];
      return merchant ? json(200, publicView(merchant)) : problem(404, "no such merchant");
    },
  ],
  [
    "PATCH",
    /^\/_sim\/merchants\/(\d+)$/,
    (ctx, req, m) => {
      const merchant = ctx.store.state.merchants[m[1] ?? ""];
      if (!merchant) return problem(404, "no such merchant");
      const patch = body(req, merchantPatchSchema);
      if (!patch.ok) return patch.answer;
      applyPatch(merchant, patch.value);
      ctx.store.commit();
      return json(200, publicView(merchant));
    },
  ],
  [
    "GET",
    /^\/_sim\/transactions$/,
    (ctx, req) => json(200, filterBy(Object.values(ctx.store.state.transactions), req.query)),
  ],
  [
    "POST",
    /^\/_sim\/transactions$/,
    (ctx, req) => {
      const input = body(req, transactionsBodySchema);
      if (!input.ok) return input.answer;
      const { mchid, ...rest } = input.value;
      const list = "transactions" in rest ? rest.transactions : [rest];
      const result = registerTransactions(ctx.store.state, mchid, list, ctx.scheduler.now(), () =>
        ctx.store.nextSequence(),
      );
      if (!result.ok) return problem(409, result.error);
      ctx.store.commit();
      return json(200, result.value);
    },
  ],
  ["GET", /^\/_sim\/refunds$/, (ctx, req) => json(200, filterBy(Object.values(ctx.store.state.refunds), req.query))],
  [
    "POST",
    /^\/_sim\/refunds$/,
    (ctx, req) => {
      const input = body(req, refundsBodySchema);
      if (!input.ok) return input.answer;
      const result = importRefunds(ctx.store.state, input.value, ctx.scheduler.now(), () => ctx.store.nextSequence());
      if (!result.ok) return problem(409, result.error);
      ctx.store.commit();
      return json(200, result.value);
    },
  ],
  [
    "GET",
    /^\/_sim\/bills$/,
    (ctx, req) => {
      const mchid = req.query.get("mchid") ?? "";
      const billDate = req.query.get("billDate") ?? "";
      const billType = req.query.get("billType") === "ALL" ? "ALL" : "REFUND";
      return json(200, buildTradeBill(ctx.store.state, mchid, billDate, billType));
    },
  ],
  ["GET", /^\/_sim\/bills\/adjustments$/, (ctx) => json(200, ctx.store.state.billAdjustments)],
  [
    "POST",
    /^\/_sim\/bills\/adjustments$/,
    (ctx, req) => {
      const input = body(req, billAdjustmentInputSchema);
      if (!input.ok) return input.answer;
      const adjustment = { ...input.value, id: randomUUID() };
      ctx.store.state.billAdjustments.push(adjustment);
      ctx.store.commit();
      return json(201, adjustment);
    },
  ],
  [
    "DELETE",
    /^\/_sim\/bills\/adjustments$/,
    (ctx, req) => {
      const id = req.query.get("id");
      ctx.store.state.billAdjustments = id ? ctx.store.state.billAdjustments.filter((a) => a.id !== id) : [];
      ctx.store.commit();
      return json(200, ctx.store.state.billAdjustments);
    },
  ],
  ["GET", /^\/_sim\/outcomes$/, (ctx) => json(200, ctx.store.state.scripts)],
  [
    "POST",
    /^\/_sim\/outcomes$/,
    (ctx, req) => {
      const input = body(req, outcomeSchema);
      if (!input.ok) return input.answer;
      const { mchid, outRefundNo, status, delayMs } = input.value;
      if (outRefundNo === undefined) {
        ctx.store.state.scripts.next.push({ status, delayMs, mchid });
        ctx.store.commit();
        return json(200, { result: "queued" });
      }
      const result = ctx.desk.script(mchid, outRefundNo, { status, delayMs });
      return result.ok ? json(200, { result: result.value }) : problem(409, result.error);
    },
  ],
  ["GET", /^\/_sim\/faults$/, (ctx) => json(200, ctx.faults.list())],
  [
    "POST",
    /^\/_sim\/faults$/,
    (ctx, req) => {
      const input = body(req, faultInputSchema);
      return input.ok ? json(201, ctx.faults.add(input.value)) : input.answer;
    },
  ],
  [
    "DELETE",
    /^\/_sim\/faults$/,
    (ctx) => {
      ctx.faults.clear();
      return json(200, []);
    },
  ],
  ["GET", /^\/_sim\/notify-settings$/, (ctx) => json(200, ctx.store.state.notify)],
  [
    "PATCH",
    /^\/_sim\/notify-settings$/,
    (ctx, req) => {
      const input = body(req, notifySettingsSchema.partial());
      if (!input.ok) return input.answer;
      const defined = Object.fromEntries(Object.entries(input.value).filter(([, v]) => v !== undefined));
      ctx.store.state.notify = { ...ctx.store.state.notify, ...defined };
      ctx.store.commit();
      return json(200, ctx.store.state.notify);
    },
  ],
  ["GET", /^\/_sim\/config$/, effectiveConfig],
  [
    "PATCH",
    /^\/_sim\/config$/,
    (ctx, req) => {
      const input = body(req, configSchema);
      if (!input.ok) return input.answer;
      const { config } = ctx.store.state;
      for (const name of ["settleMs", "orderIntervalMs"] as const) {
        const value = input.value[name];
        if (value === null) delete config[name];
        else if (value !== undefined) config[name] = value;
      }
      ctx.store.commit();
      return effectiveConfig(ctx);
    },
  ],
  [
    "GET",
    /^\/_sim\/requests$/,
    (ctx, req) => {
      const path = req.query.get("path");
      return json(
        200,
        ctx.requests.list().filter((r) => !path || r.path === path),
      );
    },
  ],
  ["GET", /^\/_sim\/robots$/, (ctx) => json(200, ctx.robots.list())],
  ["GET", /^\/_sim\/deliveries$/, (ctx, req) => json(200, filterBy(ctx.store.state.deliveries, req.query))],
  [
    "POST",
    /^\/_sim\/reset$/,
    (ctx, req) => {
      const input = body(req, z.object({ keepMerchants: z.boolean().optional() }));
      if (!input.ok) return input.answer;
      ctx.reset(input.value.keepMerchants ?? false);
      return json(200, { reset: true });
    },
  ],
];

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token; a browser cannot send one, so the HTML page also takes it as `?token=`. */
function authorized(ctx: ControlContext, req: ApiRequest): boolean {
  if (!ctx.controlToken) return true;
  if (same(header(req, "authorization") ?? "", `Bearer ${ctx.controlToken}`)) return true;
  return req.method === "GET" && /^\/_sim\/?$/.test(req.path) && same(req.query.get("token") ?? "", ctx.controlToken);
}

export function handleControl(ctx: ControlContext, req: ApiRequest): Answer {
  // Health says nothing about the state; the start script polls it before it has anything to authenticate with.
  if (req.path === "/_sim/health") return json(200, { ok: true });
  if (!req.loopback) return problem(403, "the control API only answers this machine");
  // The robots stand in for WeCom, DingTalk and Feishu: the console posts to them without the control token.
  const robot = /^\/_sim\/robots\/(wecom|dingtalk|feishu|webhook)$/.exec(req.path);
  if (robot && req.method === "POST") return ctx.robots.receive(robot[1] as RobotKind, req, ctx.scheduler.now());
  if (!authorized(ctx, req)) return problem(401, "Authorization: Bearer <SIM_CONTROL_TOKEN> required");
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(req.path);
    if (match && method === req.method) return handler(ctx, req, match);
  }
  return problem(404, `no control endpoint ${req.method} ${req.path}`);
}
