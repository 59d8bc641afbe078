/**
 * Test set-up: a simulator in this process on a free port with a hand-driven clock, merchants registered through
 * the control API, the project's own APIv3 client pointed at it, and a small server that receives notifications.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { redacting, requireV3Credentials, type V3Credentials } from "../../lib/wechatpay/config";
import { createV3Client } from "../../lib/wechatpay/v3/client";
import { buildAuthorization } from "../../lib/wechatpay/v3/sign";
import { SimControl } from "../control-client";
import type { MerchantInput, MerchantMaterial } from "../domain/merchants";
import { createSimulator, type Simulator, type SimulatorOptions } from "../server";
import type { SigningMode } from "../state/schema";
import { ManualScheduler } from "./manual-scheduler";

/**
 * The test clock starts a minute ahead of real time: platform certificates made during set-up (by openssl, in real
 * time) are then already in effect when the client checks them against the test clock.
 */
const CLOCK_LEAD_MS = 60_000;

export interface Harness {
  clock: ManualScheduler;
  simulator: Simulator;
  baseUrl: string;
  control: SimControl;
  close(): Promise<void>;
}

export async function startHarness(
  options: SimulatorOptions = {},
  clock = new ManualScheduler(Date.now() + CLOCK_LEAD_MS),
): Promise<Harness> {
  const simulator = createSimulator({
    scheduler: clock,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  const { url } = await simulator.listen(0);
  return {
    clock,
    simulator,
    baseUrl: url,
    control: new SimControl(url, options.controlToken),
    close: () => simulator.close(),
  };
}

export const MCHID = "1900000109";
export const APPID = "wx8888888888888888";

/** Registers a merchant with generated keys; the material includes the merchant private key. */
export async function addMerchant(
  h: Harness,
  input: Partial<MerchantInput> = {},
): Promise<MerchantMaterial & { merchantPrivateKey: string }> {
  const material = await h.control.upsertMerchant({ mchid: MCHID, appid: APPID, ...input });
  if (!material.merchantPrivateKey) throw new Error("expected generated merchant key material");
  return material as MerchantMaterial & { merchantPrivateKey: string };
}

/** The merchant's APIv3 credentials against this simulator, as the console would load them. */
export function v3Credentials(
  h: Harness,
  m: MerchantMaterial & { merchantPrivateKey: string },
  mode: SigningMode,
): V3Credentials {
  const loaded = requireV3Credentials(
    redacting({
      mchid: m.mchid,
      appid: m.appid,
      baseUrl: h.baseUrl,
      merchantSerialNo: m.merchantSerialNo,
      merchantPrivateKey: createPrivateKey(m.merchantPrivateKey),
      apiV3Key: m.apiV3Key,
      apiV2Key: m.apiV2Key,
      signType: "HMAC-SHA256",
      // Certificate mode: no public key configured, so the client downloads the platform certificates.
      ...(mode === "public_key" ? { publicKeyId: m.publicKeyId, publicKey: createPublicKey(m.platformPublicKey) } : {}),
    }),
  );
  if (!loaded.ok) throw new Error(loaded.error.detail);
  return loaded.value;
}

/** The project's APIv3 client for this merchant, on the test clock. */
export function v3Client(
  h: Harness,
  m: MerchantMaterial & { merchantPrivateKey: string },
  mode: SigningMode,
  timeoutMs = 2000,
) {
  return createV3Client(v3Credentials(h, m, mode), { now: () => h.clock.now(), timeoutMs });
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** On the test clock. */
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How the merchant answers; default 204 (APIv3 success). */
  answer: (received: Received) => { status: number; body?: string };
  close(): Promise<void>;
}

/** The merchant's notification endpoint: records what arrives and answers as told. */
export async function startReceiver(clock: ManualScheduler): Promise<Receiver> {
  const receiver: Receiver = { url: "", received: [], answer: () => ({ status: 204 }), close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: clock.now() };
      receiver.received.push(received);
      const { status, body } = receiver.answer(received);
      res.writeHead(status).end(body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** A hand-made APIv3 request, for what the project's client refuses to send (and for broken signatures). */
export async function rawV3(
  h: Harness,
  m: MerchantMaterial & { merchantPrivateKey: string },
  request: { method: "GET" | "POST"; path: string; body?: unknown },
  sabotage: {
    privateKeyPem?: string;
    mchid?: string;
    serialNo?: string;
    timestamp?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const body =
    request.body === undefined ? "" : typeof request.body === "string" ? request.body : JSON.stringify(request.body);
  const authorization = buildAuthorization({
    mchid: sabotage.mchid ?? m.mchid,
    serialNo: sabotage.serialNo ?? m.merchantSerialNo,
    privateKey: createPrivateKey(sabotage.privateKeyPem ?? m.merchantPrivateKey),
    method: request.method,
    pathWithQuery: request.path,
    body,
    timestamp: String(Math.floor((sabotage.timestamp ?? h.clock.now()) / 1000)),
  });
  if (!authorization.ok) throw new Error(authorization.error.detail);
  const response = await fetch(`${h.baseUrl}${request.path}`, {
    method: request.method,
    headers: { Authorization: authorization.value, "Content-Type": "application/json", ...sabotage.headers },
    body: request.method === "POST" ? body : undefined,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
