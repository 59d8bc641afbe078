/**
 * The chaos run: refund attempts (full, partial, too large, several at once on the same order) through the console's
 * server action and the merchant API, while the simulator injects faults at random, callbacks are duplicated,
 * delayed, reordered, forged or switched off, and the console's instances are SIGKILLed and restarted. Then a
 * reconciliation pass, and the invariants of invariants.ts.
 */
import { eq, inArray } from "drizzle-orm";
import { orders, refunds, type Order } from "../../lib/db/schema";
import { consoleGateways } from "../../lib/jobs/start";
import { reconcileRefund } from "../../lib/refunds/reconcile";
import { submitRefund } from "../../lib/refunds/submit";
import { checkInvariants, type Invariant } from "./invariants";
import { NotificationProxy, type Captured } from "./proxy";
import type { AppProcess, World } from "./world";

/** One way in: the console's refund action or the merchant API. Resolves whether the console recorded a refund. */
export type Channel = (order: Order, amountFen: number) => Promise<boolean>;

export interface ChaosOptions {
  attempts: number;
  channels: { action: Channel; api: Channel };
  /** SIGKILLs spread over the run. */
  kills: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  invariants: Invariant[];
  counts: Record<string, number>;
  seconds: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const chance = (p: number) => Math.random() < p;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INITIAL_BALANCE_FEN = 1_000_000_000;
const APPLY = "/v3/refund/domestic/refunds";

/** Forgeries made from a genuine callback: each must be refused. */
const FORGERIES: ((c: Captured) => Captured)[] = [
  (c) => ({
    ...c,
    headers: { ...c.headers, "wechatpay-signature": `${c.headers["wechatpay-signature"]?.slice(0, -6)}AAAAA=` },
  }),
  (c) => ({ ...c, body: JSON.stringify(JSON.parse(c.body), null, 1) }),
  (c) => ({
    ...c,
    headers: { ...c.headers, "wechatpay-signature": `WECHATPAY/SIGNTEST/${c.headers["wechatpay-signature"]}` },
  }),
  (c) => ({ ...c, headers: { ...c.headers, "wechatpay-serial": "PUB_KEY_ID_0000000000000000000000000000" } }),
  (c) => ({ ...c, headers: { ...c.headers, "wechatpay-timestamp": String(Math.floor(Date.now() / 1000) - 3600) } }),
];

export async function runChaos(world: World, options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const counts: Record<string, number> = {
    attempts: 0,
    recorded: 0,
    refused: 0,
    errors: 0,
    viaAction: 0,
    viaApi: 0,
    faults: 0,
    notifySwitches: 0,
    kills: 0,
  };
  const instances: AppProcess[] = [];
  const proxy = new NotificationProxy(() => instances);
  await proxy.listen();
  await world.control.patchMerchant(world.material.mchid, { balanceFen: INITIAL_BALANCE_FEN, notifyUrl: proxy.url });
  for (let i = 0; i < 2; i++) {
    const app = await world.app({ notifyUrl: proxy.url });
    await app.start();
    instances.push(app);
  }

  // Orders: many ordinary ones, and a few hot ones that get small refunds until they reach WeChat's 50.
  const ordinary = await world.paidOrders(
    Math.max(20, Math.ceil(options.attempts / 4)),
    (i) => 1_000 + (i % 7) * 1_013,
  );
  const hot = await world.paidOrders(Math.max(2, Math.ceil(options.attempts / 400)), () => 100_000);
  const hotIds = new Set(hot.map((o) => o.id));

  let running = true;
  const restarts: Promise<void>[] = [];
  const restarting = new Set<AppProcess>();
  const killAndRestart = async (victim: AppProcess, after: number) => {
    restarting.add(victim);
    await victim.kill("SIGKILL");
    options.log(`  killed an instance after ${after} attempts`);
    await sleep(300 + Math.random() * 1_500);
    await victim.start();
    restarting.delete(victim);
  };
  const monkey = (async () => {
    const killAt = Array.from({ length: options.kills }, (_, k) =>
      Math.floor(((k + 1) * options.attempts) / (options.kills + 1)),
    );
    while (running) {
      await sleep(50 + Math.random() * 100);
      const roll = Math.random();
      if (roll < 0.15) {
        counts.faults! += 1;
        const kind = pick([
          "system_error",
          "system_error",
          "reset_before",
          "reset_after",
          "slow",
          "slow",
          "timeout_after_accept",
        ] as const);
        await world.control.addFault({
          kind,
          count: 1,
          delayMs: kind === "slow" ? 200 + Math.floor(Math.random() * 2_500) : undefined,
          ...(chance(0.7) ? { method: "POST", path: APPLY } : {}),
        });
      } else if (roll < 0.45) {
        counts.notifySwitches! += 1;
        await world.control.notifySettings({
          enabled: !chance(0.3),
          copies: 1 + Math.floor(Math.random() * 3),
          badSignature: chance(0.1),
          tamperCiphertext: chance(0.1),
          // A correctly signed REFUND.CLOSED after the final callback: the console must confirm it by query.
          followWith: chance(0.1) ? "CLOSED" : null,
        });
      } else if (roll < 0.5) {
        await world.control.script({
          status: pick(["CLOSED", "ABNORMAL", "SUCCESS"] as const),
          delayMs: Math.floor(Math.random() * 3_000),
        });
      } else if (roll < 0.7) {
        proxy.replay();
      } else if (roll < 0.8) {
        proxy.forge(pick(FORGERIES));
      }
      proxy.holdRate = chance(0.2) ? 0.3 : 0.05;
      if (counts.kills! < killAt.length && counts.attempts! >= killAt[counts.kills!]!) {
        counts.kills! += 1;
        const victim = pick(instances.filter((a) => a.running && !restarting.has(a)));
        if (victim) restarts.push(killAndRestart(victim, counts.attempts!));
      }
    }
    await Promise.all(restarts);
  })();

  const open = async () =>
    (
      await world.t.db
        .select({ id: refunds.id })
        .from(refunds)
        .where(inArray(refunds.status, ["PENDING", "PROCESSING"]))
    ).length;
  const remaining = async (order: Order) => {
    const [row] = await world.t.db.select().from(orders).where(eq(orders.id, order.id));
    return row!.totalFen - row!.refundedFen - row!.inFlightFen;
  };
  const attempt = async () => {
    const order = chance(0.25) ? pick(hot) : pick(ordinary);
    const left = await remaining(order);
    const roll = Math.random();
    // What the console shows as remaining, possibly stale by the time the request lands: some are refused for it.
    const amountFen = hotIds.has(order.id)
      ? 1 + Math.floor(Math.random() * 500)
      : roll < 0.35
        ? Math.max(1, left)
        : roll < 0.9
          ? 1 + Math.floor(Math.random() * Math.max(1, left))
          : left + 1 + Math.floor(Math.random() * 100);
    const viaAction = chance(0.5);
    counts[viaAction ? "viaAction" : "viaApi"]! += 1;
    counts.attempts! += 1;
    try {
      const recorded = await (viaAction ? options.channels.action : options.channels.api)(order, amountFen);
      counts[recorded ? "recorded" : "refused"]! += 1;
    } catch (error) {
      counts.errors! += 1;
      options.log(`  attempt failed: ${String(error).slice(0, 200)}`);
    }
  };
  // Attempts in waves; several in one wave often hit the same order at once.
  const WAVE = 8;
  const BACKLOG = 150;
  for (let done = 0; done < options.attempts; done += WAVE) {
    // Back-pressure: operators and shops do not queue thousands of refunds ahead of the workers; but a queue that
    // stalls does not stop them for long either (what is left open is the reconciliation pass's).
    for (let waited = 0; waited < 3_000 && (await open()) > BACKLOG; waited += 200) await sleep(200);
    await Promise.all(Array.from({ length: Math.min(WAVE, options.attempts - done) }, attempt));
    if (done % 200 < WAVE) options.log(`  ${done + WAVE} attempts, ${Math.round((Date.now() - started) / 1000)} s`);
  }
  running = false;
  await monkey;
  options.log(`  attempts done in ${Math.round((Date.now() - started) / 1000)} s; calming down`);

  // Calm: faults off, callbacks on, held deliveries out, and the instances given time to finish on their own.
  await world.control.notifySettings({
    enabled: true,
    copies: 1,
    followWith: null,
    badSignature: false,
    tamperCiphertext: false,
  });
  await fetch(`${world.simUrl}/_sim/faults`, { method: "DELETE" });
  proxy.holdRate = 0;
  await proxy.drain();
  for (let waited = 0; waited < 15_000 && (await open()) > 0; waited += 1_000) await sleep(1_000);
  counts.openBeforeReconciliation = await open();
  options.log(
    `  ${counts.openBeforeReconciliation} refunds open after ${Math.round((Date.now() - started) / 1000)} s; reconciling`,
  );
  for (const app of instances) await app.kill("SIGTERM");
  counts.reconciled = await reconcileAll(world);
  await proxy.close();

  const answered = (from: number, to: number) =>
    Object.entries(proxy.stats.forgedAnswers)
      .filter(([s]) => Number(s) >= from && Number(s) <= to)
      .reduce((n, [, c]) => n + c, 0);
  const logs = instances.map((a) => a.output.join("")).join("");
  const privateKeyLine = world.material.merchantPrivateKey.split("\n")[3] ?? "";
  const invariants = await checkInvariants(world, {
    initialBalanceFen: INITIAL_BALANCE_FEN,
    secrets: [world.material.apiV3Key, world.material.apiV2Key, privateKeyLine],
    logs,
  });
  Object.assign(counts, {
    callbacksForwarded: proxy.stats.forwarded,
    callbacksHeld: proxy.stats.held,
    replayed: proxy.stats.replayed,
    forged: proxy.stats.forged,
    forgedRefused: answered(400, 499),
    forgedTaken: answered(200, 299),
    forgedUnanswered: answered(500, 599),
    callbackServerErrors: proxy.stats.serverErrors,
  });
  return { invariants, counts, seconds: Math.round((Date.now() - started) / 1000) };
}

/**
 * What the sweep and the reconciliation schedule do over the following minutes and hours, done at once: every
 * PENDING refund submitted (asking WeChat first when its outcome is unknown), every PROCESSING one queried, until all
 * are final or wait for a person. Returns how many refunds it moved.
 */
async function reconcileAll(world: World): Promise<number> {
  // This process acts as one more instance of the console, with the merchant's credentials where the app has them.
  Object.assign(process.env, world.merchantEnv);
  const resolveGateway = consoleGateways(world.t.db);
  const touched = new Set<number>();
  for (let round = 0; round < 60; round++) {
    const open = await world.t.db
      .select()
      .from(refunds)
      .where(inArray(refunds.status, ["PENDING", "PROCESSING"]));
    if (open.length === 0) break;
    for (const r of open) {
      touched.add(r.id);
      // A lease left by a killed instance lapses after 30 s; until then submitRefund leaves the refund alone.
      if (r.status === "PENDING") await submitRefund(world.t.db, resolveGateway, r.id);
      else await reconcileRefund(world.t.db, resolveGateway, r.id, 0);
    }
    await sleep(1_000);
  }
  return touched.size;
}
