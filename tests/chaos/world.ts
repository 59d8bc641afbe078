/**
 * A small world for reliability tests: a fresh database, the WeChat Pay simulator in this process on real time, one
 * merchant registered on both sides (the console reads its keys from WECHATPAY_* like `npm start` sets them), paid
 * orders known to both, and the console's back half (`app-process.ts`) as child processes that can be SIGKILLed.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { merchants, orders, type Merchant, type Order } from "../../lib/db/schema";
import { SimControl } from "../../simulator/control-client";
import type { MerchantMaterial } from "../../simulator/domain/merchants";
import { createSimulator, type Simulator, type SimulatorOptions } from "../../simulator/server";
import { createTestDb, type TestDatabase } from "../db";

export const MCHID = "1900000109";
export const APPID = "wx8888888888888888";
const APP_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), "app-process.ts");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One instance of the console's back half; `kill()` is SIGKILL, as an OOM killer or a pulled plug would do it. */
export class AppProcess {
  private child: ChildProcess | undefined;
  /** Everything the process wrote (its pino logs), for the secrets check. */
  readonly output: string[] = [];

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/notify/refund`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = fork(APP_ENTRY, [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, ...this.env, APP_PORT: String(this.port) },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr])
      stream?.on("data", (chunk: Buffer) => this.output.push(chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`app process not ready: ${this.output.join("").slice(-2000)}`)),
        30_000,
      );
      child.once("message", () => {
        clearTimeout(timer);
        resolve();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`app process exited with ${code}: ${this.output.join("").slice(-2000)}`));
      });
    });
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}

export interface World {
  t: TestDatabase;
  simulator: Simulator;
  simUrl: string;
  control: SimControl;
  material: MerchantMaterial & { merchantPrivateKey: string };
  merchant: Merchant;
  /** The WECHATPAY_* variables of the merchant, pointed at the simulator. */
  merchantEnv: Record<string, string>;
  /** A new app process (not started) on its own port; `notifyUrl` overrides where refunds ask WeChat to call back. */
  app(options?: { jobs?: boolean; notifyUrl?: string; env?: Record<string, string> }): Promise<AppProcess>;
  /** Paid orders recorded in the console and registered with the simulator. */
  paidOrders(count: number, totalFen: (i: number) => number): Promise<Order[]>;
  close(): Promise<void>;
}

export async function createWorld(options: SimulatorOptions = {}): Promise<World> {
  const t = await createTestDb();
  const simulator = createSimulator({
    settleMs: 800,
    orderIntervalMs: 0,
    timeScale: 100,
    onError: () => {},
    ...options,
  });
  const { url: simUrl } = await simulator.listen(0);
  const control = new SimControl(simUrl);
  const material = (await control.upsertMerchant({ mchid: MCHID, appid: APPID })) as World["material"];
  const [merchant] = await t.db
    .insert(merchants)
    .values({ mchid: MCHID, appid: APPID, displayName: "Chaos merchant" })
    .returning();
  const merchantEnv = {
    WECHATPAY_MCHID: MCHID,
    WECHATPAY_APPID: APPID,
    WECHATPAY_MERCHANT_SERIAL_NO: material.merchantSerialNo,
    WECHATPAY_MERCHANT_PRIVATE_KEY: material.merchantPrivateKey,
    WECHATPAY_APIV3_KEY: material.apiV3Key,
    WECHATPAY_APIV2_KEY: material.apiV2Key,
    WECHATPAY_PUBLIC_KEY_ID: material.publicKeyId,
    WECHATPAY_PUBLIC_KEY: material.platformPublicKey,
    WECHATPAY_BASE_URL: simUrl,
  };
  const apps: AppProcess[] = [];
  let sequence = 0;

  return {
    t,
    simulator,
    simUrl,
    control,
    material,
    merchant: merchant!,
    merchantEnv,
    async app({ jobs = true, notifyUrl, env = {} } = {}) {
      const port = await freePort();
      const app = new AppProcess(port, {
        ...merchantEnv,
        DATABASE_URL: t.url,
        LOG_LEVEL: "info",
        APP_JOBS: jobs ? "on" : "off",
        REFUND_NOTIFY_URL: notifyUrl ?? `http://127.0.0.1:${port}/api/notify/refund`,
        ...env,
      });
      apps.push(app);
      return app;
    },
    async paidOrders(count, totalFen) {
      const paidAt = new Date(Date.now() - 86_400_000);
      const values = Array.from({ length: count }, (_, i) => {
        sequence += 1;
        const n = `${process.pid}${String(sequence).padStart(6, "0")}`;
        return {
          merchantId: merchant!.id,
          outTradeNo: `C${n}`,
          transactionId: `42000000${n.padStart(20, "0")}`,
          totalFen: totalFen(i),
          paidAt,
        };
      });
      const created: Order[] = [];
      for (let i = 0; i < values.length; i += 200) {
        const batch = values.slice(i, i + 200);
        created.push(...(await t.db.insert(orders).values(batch).returning()));
        await control.addTransactions(
          MCHID,
          batch.map((v) => ({
            outTradeNo: v.outTradeNo,
            transactionId: v.transactionId,
            totalFen: v.totalFen,
            paidAt: paidAt.getTime(),
            payerOpenid: "o-chaos",
          })),
        );
      }
      return created;
    },
    async close() {
      for (const app of apps) await app.kill();
      await simulator.close();
      await t.drop();
    },
  };
}

export async function orderRow(world: World, id: number): Promise<Order> {
  return (await world.t.db.select().from(orders).where(eq(orders.id, id)))[0]!;
}
