/**
 * What must hold after a chaos run, checked against both sides: the console's database and the simulator's record
 * of what WeChat executed. Each invariant carries the counts it was checked over, so the printout says how much was
 * proven, not only that nothing failed.
 */
import { sql } from "drizzle-orm";
import { orders, refunds } from "../../lib/db/schema";
import { MCHID, type World } from "./world";
import { MAX_REFUNDS_PER_ORDER } from "../../lib/refunds/policy";

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

/** Statuses a refund may end a run in: final, or waiting where a person sees it (ABNORMAL, an approval). */
const SETTLED = new Set(["SUCCESS", "CLOSED", "FAILED", "REJECTED"]);
const VISIBLY_WAITING = new Set(["ABNORMAL", "AWAITING_APPROVAL"]);

export async function checkInvariants(
  world: World,
  options: { initialBalanceFen: number; secrets: string[]; logs: string },
): Promise<Invariant[]> {
  const db = world.t.db;
  const consoleOrders = await db.select().from(orders);
  const consoleRefunds = await db.select().from(refunds);
  const simRefunds = await world.control.refunds({ mchid: MCHID });
  const simMerchant = (await (await fetch(`${world.simUrl}/_sim/merchants/${MCHID}`)).json()) as { balanceFen: number };
  const orderById = new Map(consoleOrders.map((o) => [o.id, o]));
  const consoleByNo = new Map(consoleRefunds.map((r) => [r.outRefundNo, r]));
  const simByNo = new Map<string, (typeof simRefunds)[number][]>();
  for (const r of simRefunds) simByNo.set(r.outRefundNo, [...(simByNo.get(r.outRefundNo) ?? []), r]);
  const result: Invariant[] = [];
  const check = (name: string, failures: string[], detail: string) =>
    result.push({
      name,
      ok: failures.length === 0,
      detail: failures.length ? `${detail}; FAILED: ${failures.slice(0, 5).join(" | ")}` : detail,
    });

  // 1. Money: per order, what WeChat paid back is what the console shows as refunded.
  const simSuccess = new Map<string, number>();
  for (const r of simRefunds)
    if (r.status === "SUCCESS") simSuccess.set(r.outTradeNo, (simSuccess.get(r.outTradeNo) ?? 0) + r.refundFen);
  const moneyFailures: string[] = [];
  for (const o of consoleOrders) {
    const rows = consoleRefunds.filter((r) => r.orderId === o.id && r.status === "SUCCESS");
    const consoleSum = rows.reduce((s, r) => s + r.amountFen, 0);
    const gatewaySum = simSuccess.get(o.outTradeNo) ?? 0;
    if (gatewaySum !== o.refundedFen || consoleSum !== o.refundedFen)
      moneyFailures.push(
        `${o.outTradeNo}: gateway ${gatewaySum}, orders.refunded ${o.refundedFen}, refunds ${consoleSum}`,
      );
  }
  const refundedTotal = consoleOrders.reduce((s, o) => s + o.refundedFen, 0);
  check(
    "sum of successful refunds: simulator = console, per order",
    moneyFailures,
    `${consoleOrders.length} orders, ${refundedTotal} fen refunded`,
  );

  // 2. Exactly once at the gateway: one executed refund per number, each the console's, with its order and amount,
  //    and the merchant's balance moved by exactly what is not closed.
  const onceFailures: string[] = [];
  for (const [no, executed] of simByNo) {
    const mine = consoleByNo.get(no);
    if (executed.length !== 1) onceFailures.push(`${no} executed ${executed.length} times`);
    else if (!mine) onceFailures.push(`${no} executed but unknown to the console`);
    else if (
      mine.amountFen !== executed[0]!.refundFen ||
      orderById.get(mine.orderId)?.outTradeNo !== executed[0]!.outTradeNo
    )
      onceFailures.push(`${no} differs`);
  }
  const held = simRefunds.filter((r) => r.status !== "CLOSED").reduce((s, r) => s + r.refundFen, 0);
  if (options.initialBalanceFen - held !== simMerchant.balanceFen)
    onceFailures.push(`balance ${simMerchant.balanceFen}, expected ${options.initialBalanceFen - held}`);
  check(
    "no out_refund_no executed twice",
    onceFailures,
    `${simRefunds.length} refunds executed for ${consoleRefunds.length} recorded`,
  );

  // 3. Limits, on both sides.
  const limitFailures: string[] = [];
  for (const o of consoleOrders) {
    if (o.refundedFen + o.inFlightFen > o.totalFen || o.refundCount > MAX_REFUNDS_PER_ORDER)
      limitFailures.push(`console ${o.outTradeNo}`);
    const atGateway = simRefunds.filter((r) => r.outTradeNo === o.outTradeNo && r.status !== "CLOSED");
    if (atGateway.reduce((s, r) => s + r.refundFen, 0) > o.totalFen || atGateway.length > MAX_REFUNDS_PER_ORDER)
      limitFailures.push(`gateway ${o.outTradeNo}`);
  }
  const busiest = Math.max(0, ...consoleOrders.map((o) => o.refundCount));
  const full = consoleOrders.filter((o) => o.refundedFen + o.inFlightFen === o.totalFen).length;
  check(
    "no order beyond its total or 50 refunds",
    limitFailures,
    `${full} orders fully refunded, most refunds on one order: ${busiest}`,
  );

  // 4. Every refund final or visibly waiting, and the console says what WeChat says.
  const stateFailures: string[] = [];
  const byStatus: Record<string, number> = {};
  for (const r of consoleRefunds) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (!SETTLED.has(r.status) && !VISIBLY_WAITING.has(r.status)) stateFailures.push(`${r.outRefundNo} ${r.status}`);
    const executed = simByNo.get(r.outRefundNo)?.[0];
    const expected =
      r.status === "FAILED" || r.status === "REJECTED" || r.status === "AWAITING_APPROVAL" ? undefined : r.status;
    if ((executed?.status ?? undefined) !== expected)
      stateFailures.push(`${r.outRefundNo}: console ${r.status}, gateway ${executed?.status ?? "none"}`);
  }
  const summary = Object.entries(byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  check("every refund final or visibly waiting, as at the gateway", stateFailures, summary);

  // 5. Callbacks: each WeChat notification id applied at most once.
  const [applied] = await db.execute<{ ids: number; rows: number; twice: number }>(sql`
    select count(distinct notification_id)::int as ids, count(*)::int as rows,
      (select count(*)::int from (select notification_id from notifications where outcome = 'applied' and notification_id is not null
        group by notification_id having count(*) > 1) t) as twice
    from notifications`);
  check(
    "notifications applied at most once per id",
    applied!.twice > 0 ? [`${applied!.twice} ids applied twice`] : [],
    `${applied!.rows} callbacks received, ${applied!.ids} distinct ids`,
  );

  // 6. No secret in what the instances logged.
  const leaked = options.secrets.filter((s) => s.length >= 16 && options.logs.includes(s));
  check(
    "no key material in the logs",
    leaked.map(() => "a secret appears in the logs"),
    `${options.logs.length} bytes of logs, ${options.secrets.length} secrets`,
  );
  return result;
}

export function printInvariants(invariants: Invariant[], write: (line: string) => void = console.log): void {
  for (const i of invariants) write(`${i.ok ? "✓" : "✗"} ${i.name}: ${i.detail}`);
}
