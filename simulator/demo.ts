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
import { DEMO_V2_MERCHANT } from "../lib/setup/demo-seed-v2";
import { IN_MEMORY } from "./config";
import { SimControl } from "./control-client";
import { ensureDemoPki, type DemoPki } from "./demo-pki";
import {
  addOrders,
  importRefunds,
  registerDemoV2,
  type DemoHistory,
  type DemoOrderInput,
  type DemoRefund,
  type DemoV2Credentials,
} from "./demo-v2";
import { generateRsaKeyPair, randomApiKey, randomSerial } from "./keys";
import { beijingDate } from "../lib/beijing-time";

export type { DemoHistory, DemoRefund, DemoV2Credentials } from "./demo-v2";

/** Where the demo merchant's notifications go, under the console's APP_URL (the platform's notify setting). */
export const DEMO_NOTIFY_PATH = "/api/notify/refund";
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5000;
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface DemoGatewayOptions {
  /** The console's data directory; the simulator keeps its keys and state under `<dataDir>/simulator/`. */
  dataDir: string;
  port: number;
  /**
   * The HTTPS port of TLS mode, which the console is then pointed at (APIv3 and APIv2 alike, as at WeChat) and
   * where APIv2 refunds present the demo merchant's client certificate. Without it, plain HTTP and no APIv2 merchant.
   */
  tlsPort?: number;
  /** The console's own URL, for the notify URL. */
  appUrl: string;
  /**
   * False keeps the simulator's state in memory only. For benchmarks: writing the whole state (about 100 ms at 10,000
   * refunds, every 2 s) stalls the simulator, which then counts the requests held meanwhile as one burst — a rate
   * WeChat never saw sent, and FREQUENCY_LIMITED answers that measure the simulator's file, not the console.
   */
  persistState?: boolean;
  orders: DemoOrderInput[];
  /** The console's refunds that reached WeChat, so that queries and bills agree with the console's history. */
  refunds?: DemoRefund[];
  /** A refund made by hand in the merchant platform, unknown to the console: the demo's reconciliation mismatch. */
  handMadeRefund?: { outTradeNo: string; refundFen: number; at: Date };
  /** The APIv2 demo merchant's orders and refunds in the console (TLS mode only). */
  apiV2?: DemoHistory;
}

export interface DemoGateway {
  /** The WECHATPAY_* variables (and NODE_EXTRA_CA_CERTS in TLS mode) for the console's process. */
  env: Record<string, string>;
  /** Plain-HTTP origin of the control API (`/_sim/`), whichever origin the console uses. */
  controlUrl: string;
  /** TLS mode: the APIv2 demo merchant's credentials, for the console's database. */
  apiV2?: DemoV2Credentials;
  stop(): Promise<void>;
}

/** WeChat uses a merchant-platform refund's id as its out_refund_no; one per Beijing day keeps restarts idempotent. */
function handMadeRefundId(at: Date): string {
  const day = beijingDate(at).replaceAll("-", "");
  return `50300${day}9000000000000001`;
}

/**
 * Registers the console's history and the hand-made refund; numbers already known keep their first registration.
 * Once the console has read the hand-made refund from a bill it is part of the history, on its order; the
 * `handMadeRefund` asked for then names another order (the oldest one still unrefunded) and is left out.
 */
async function importHistory(control: SimControl, options: DemoGatewayOptions): Promise<void> {
  const { refunds = [], handMadeRefund } = options;
  await importRefunds(control, DEMO_MERCHANT.mchid, refunds);
  if (!handMadeRefund) return;
  const id = handMadeRefundId(handMadeRefund.at);
  if (refunds.some((r) => r.outRefundNo === id)) return;
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

function waitForReady(child: ChildProcess): Promise<{ port: number; tlsPort?: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the simulator did not start within 30 s")), READY_TIMEOUT_MS);
    child.on("message", (message: { type?: string; port?: number; tlsPort?: number }) => {
      if (message.type !== "ready" || message.port === undefined) return;
      clearTimeout(timer);
      resolve({ port: message.port, tlsPort: message.tlsPort });
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

/**
 * The CA file the console's process trusts in addition to the system's (NODE_EXTRA_CA_CERTS takes one file): the
 * demo CA, after the operator's own extra CAs when they set some, so a corporate proxy's CA keeps working.
 */
function extraCaFile(dir: string, pki: DemoPki): string {
  const own = process.env.NODE_EXTRA_CA_CERTS;
  if (!own || !existsSync(own)) return pki.files.ca;
  const bundle = join(dir, "extra-ca-certs.pem");
  writeFileSync(bundle, `${readFileSync(own, "utf8").trimEnd()}\n${pki.caPem}`, { mode: 0o600 });
  return bundle;
}

/** Whether the control API refused a registration because the simulator holds other content under the same numbers. */
const conflicting = (error: unknown) => error instanceof Error && /: HTTP 409 /.test(error.message);

export async function ensureDemoGateway(options: DemoGatewayOptions): Promise<DemoGateway> {
  const dir = join(options.dataDir, "simulator");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const merchant = merchantMaterial(dir);
  const pki = options.tlsPort === undefined ? undefined : ensureDemoPki(join(dir, "tls"), DEMO_V2_MERCHANT.mchid);
  // Fresh per run, so only this process drives the control API, unless SIM_CONTROL_TOKEN names one (browser tests).
  const token = process.env.SIM_CONTROL_TOKEN || randomBytes(24).toString("hex");

  const child = spawn(process.execPath, ["--import", "tsx", "simulator/main.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      SIM_PORT: String(options.port),
      SIM_STATE_FILE: options.persistState === false ? IN_MEMORY : join(dir, "state.json"),
      SIM_CONTROL_TOKEN: token,
      ...(pki
        ? {
            SIM_TLS_PORT: String(options.tlsPort),
            SIM_TLS_CERT: pki.files.serverCert,
            SIM_TLS_KEY: pki.files.serverKey,
            SIM_TLS_CA: pki.files.ca,
          }
        : {}),
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
    const ready = await waitForReady(child);
    const controlUrl = `http://127.0.0.1:${ready.port}`;
    const control = new SimControl(controlUrl, token);
    const notifyUrl = `${options.appUrl.replace(/\/+$/, "")}${DEMO_NOTIFY_PATH}`;
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
      notifyUrl,
    });
    const registerAll = async () => {
      await addOrders(control, DEMO_MERCHANT.mchid, options.orders);
      await importHistory(control, options);
      return pki ? registerDemoV2(control, { dir, notifyUrl, pki, history: options.apiV2 }) : undefined;
    };
    let apiV2: DemoV2Credentials | undefined;
    try {
      apiV2 = await registerAll();
    } catch (error) {
      if (!conflicting(error)) throw error;
      // The state file is from another database (a fresh one beside an old .data/): the console's history is the
      // truth, so the simulator forgets its orders and refunds, keeping the merchants and their platform keys.
      process.stdout.write("[simulator] its saved orders and refunds disagree with the database; starting them anew\n");
      await control.reset(true);
      apiV2 = await registerAll();
    }
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
        // In TLS mode the console talks HTTPS to the simulator, trusting the demo CA: WECHATPAY_BASE_URL is one
        // origin for every merchant, and the APIv2 client refuses anything but https.
        ...(pki && ready.tlsPort !== undefined
          ? { WECHATPAY_BASE_URL: `https://127.0.0.1:${ready.tlsPort}`, NODE_EXTRA_CA_CERTS: extraCaFile(dir, pki) }
          : { WECHATPAY_BASE_URL: controlUrl }),
      },
      controlUrl,
      apiV2,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
