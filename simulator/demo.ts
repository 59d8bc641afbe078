/**
 * For the console's start script: runs the simulator as the demo merchant's WeChat Pay and returns the environment
 * the console needs to talk to it as to the real one. The simulator is a child process, so its crash never takes
 * the console down; it leaves by itself when the console goes (IPC disconnect, see main.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { SimControl } from "./control-client";
import { generateRsaKeyPair, randomApiKey, randomSerial } from "./keys";

/** Where the demo merchant's notifications go, under the console's APP_URL (the platform's notify setting). */
export const DEMO_NOTIFY_PATH = "/api/notify/refund";
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5000;
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface DemoGatewayOptions {
  /** The console's data directory; the simulator keeps its keys and state under `<dataDir>/simulator/`. */
  dataDir: string;
  port: number;
  /** The console's own URL, for the notify URL. */
  appUrl: string;
  orders: { outTradeNo: string; transactionId: string; totalFen: number; paidAt: Date; payerOpenid: string }[];
  /** The console's refunds that reached WeChat, so that queries and bills agree with the console's history. */
  refunds?: DemoRefund[];
  /** A refund made by hand in the merchant platform, unknown to the console: the demo's reconciliation mismatch. */
  handMadeRefund?: { outTradeNo: string; refundFen: number; at: Date };
}

export interface DemoRefund {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  refundFen: number;
  status: "PROCESSING" | "SUCCESS" | "CLOSED" | "ABNORMAL";
  createTime: Date;
  successTime: Date | null;
}

/** WeChat uses a merchant-platform refund's id as its out_refund_no; one per Beijing day keeps restarts idempotent. */
function handMadeRefundId(at: Date): string {
  const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll("-", "");
  return `50300${day}9000000000000001`;
}

/** Registers the console's history and the hand-made refund; numbers already known keep their first registration. */
async function importHistory(control: SimControl, options: DemoGatewayOptions): Promise<void> {
  const { refunds = [], handMadeRefund } = options;
  if (refunds.length > 0) {
    await control.importRefunds(
      DEMO_MERCHANT.mchid,
      refunds.map((r) => ({ ...r, createTime: r.createTime.getTime(), successTime: r.successTime?.getTime() })),
    );
  }
  if (handMadeRefund) {
    const id = handMadeRefundId(handMadeRefund.at);
    const at = handMadeRefund.at.getTime();
    const refund = {
      outRefundNo: id,
      refundId: id,
      outTradeNo: handMadeRefund.outTradeNo,
      refundFen: handMadeRefund.refundFen,
      createTime: at,
      successTime: at,
    };
    await control.importRefunds(DEMO_MERCHANT.mchid, [refund], "merchant_platform");
  }
}

interface MerchantSecrets {
  serialNo: string;
  apiV3Key: string;
  apiV2Key: string;
}

/** The demo merchant's key material, generated on first use and kept (mode 600) so restarts keep talking. */
function merchantMaterial(dir: string): MerchantSecrets & { privateKeyFile: string; privateKeyPem: string } {
  const privateKeyFile = join(dir, "merchant_private_key.pem");
  const secretsFile = join(dir, "merchant.json");
  if (!existsSync(privateKeyFile) || !existsSync(secretsFile)) {
    writeFileSync(privateKeyFile, generateRsaKeyPair().privateKeyPem, { mode: 0o600 });
    const secrets: MerchantSecrets = { serialNo: randomSerial(), apiV3Key: randomApiKey(), apiV2Key: randomApiKey() };
    writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  // Kept private even if someone loosened them: these are the merchant's credentials.
  chmodSync(privateKeyFile, 0o600);
  chmodSync(secretsFile, 0o600);
  const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as MerchantSecrets;
  return { ...secrets, privateKeyFile, privateKeyPem: readFileSync(privateKeyFile, "utf8") };
}

/** Prefixes the child's output so it reads apart from the console's own. */
function relay(stream: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  stream?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) to.write(`[simulator] ${line}\n`);
  });
}

function waitForReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the simulator did not start within 30 s")), READY_TIMEOUT_MS);
    child.on("message", (message: { type?: string; port?: number }) => {
      if (message.type !== "ready" || message.port === undefined) return;
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited during start-up (code ${code}); see its output above`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function ensureDemoGateway(
  options: DemoGatewayOptions,
): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const dir = join(options.dataDir, "simulator");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const merchant = merchantMaterial(dir);
  // Fresh per run, so only this process drives the control API, unless SIM_CONTROL_TOKEN names one (browser tests).
  const token = process.env.SIM_CONTROL_TOKEN || randomBytes(24).toString("hex");

  const child = spawn(process.execPath, ["--import", "tsx", "simulator/main.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      SIM_PORT: String(options.port),
      SIM_STATE_FILE: join(dir, "state.json"),
      SIM_CONTROL_TOKEN: token,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    if (code !== 0)
      process.stderr.write(
        `[simulator] stopped (code ${code}, signal ${signal}); the console keeps running without it\n`,
      );
  });
  const stop = () => stopChild(child);

  try {
    const port = await waitForReady(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    const control = new SimControl(baseUrl, token);
    const publicKeyPem = createPublicKey(createPrivateKey(merchant.privateKeyPem))
      .export({ type: "spki", format: "pem" })
      .toString();
    // Idempotent: an existing merchant keeps its balance and platform keys; the demo's keys are re-asserted.
    const registered = await control.upsertMerchant({
      mchid: DEMO_MERCHANT.mchid,
      appid: DEMO_MERCHANT.appid,
      merchantPublicKey: publicKeyPem,
      merchantSerialNo: merchant.serialNo,
      apiV3Key: merchant.apiV3Key,
      apiV2Key: merchant.apiV2Key,
      notifyUrl: `${options.appUrl.replace(/\/+$/, "")}${DEMO_NOTIFY_PATH}`,
    });
    if (options.orders.length > 0) {
      await control.addTransactions(
        DEMO_MERCHANT.mchid,
        options.orders.map((o) => ({ ...o, paidAt: o.paidAt.getTime() })),
      );
    }
    await importHistory(control, options);
    const publicKeyFile = join(dir, "wechatpay_public_key.pem");
    writeFileSync(publicKeyFile, registered.platformPublicKey, { mode: 0o600 });
    return {
      env: {
        WECHATPAY_MCHID: DEMO_MERCHANT.mchid,
        WECHATPAY_APPID: DEMO_MERCHANT.appid,
        WECHATPAY_MERCHANT_SERIAL_NO: merchant.serialNo,
        WECHATPAY_MERCHANT_PRIVATE_KEY: merchant.privateKeyFile,
        WECHATPAY_APIV3_KEY: merchant.apiV3Key,
        WECHATPAY_PUBLIC_KEY_ID: registered.publicKeyId,
        WECHATPAY_PUBLIC_KEY: publicKeyFile,
        WECHATPAY_APIV2_KEY: merchant.apiV2Key,
        WECHATPAY_BASE_URL: baseUrl,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
