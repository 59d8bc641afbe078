/**
 * The demo's APIv2 merchant on the simulator side: its API key (kept beside the APIv3 demo's), its client certificate
 * from the demo PKI, and its registration with orders and history. The console stores the same material sealed in
 * its database (lib/setup/demo-v2-credentials.ts); this module only hands it over.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_V2_MERCHANT } from "../lib/setup/demo-seed-v2";
import type { SimControl } from "./control-client";
import type { DemoPki } from "./demo-pki";
import { randomApiKey } from "./keys";

export interface DemoOrderInput {
  outTradeNo: string;
  transactionId: string;
  totalFen: number;
  paidAt: Date;
  payerOpenid: string;
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

/** One merchant's history in the console: the paid orders and the refunds WeChat accepted. */
export interface DemoHistory {
  orders: DemoOrderInput[];
  refunds?: DemoRefund[];
}

/** What the console needs to refund as the APIv2 demo merchant. */
export interface DemoV2Credentials {
  mchid: string;
  appid: string;
  apiV2Key: string;
  /** apiclient_cert.p12, CN = mchid, signed by the demo CA the simulator checks client certificates against. */
  p12: Buffer;
  p12Password: string;
}

/** The APIv2 key, generated once and kept (mode 600) so that restarts and the sealed copy keep agreeing. */
function apiV2Key(dir: string): string {
  const file = join(dir, "merchant_v2.json");
  if (!existsSync(file)) {
    writeFileSync(file, `${JSON.stringify({ apiV2Key: randomApiKey() }, null, 2)}\n`, { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { apiV2Key?: unknown };
  if (typeof parsed.apiV2Key !== "string" || parsed.apiV2Key.length !== 32) {
    throw new Error(`${file}: apiV2Key must be 32 characters; delete the file to have a new one made`);
  }
  return parsed.apiV2Key;
}

/** Registers the refunds of `history`; numbers already known keep their first registration. */
export async function importRefunds(control: SimControl, mchid: string, refunds: DemoRefund[] = []): Promise<void> {
  if (refunds.length === 0) return;
  await control.importRefunds(
    mchid,
    refunds.map((r) => ({ ...r, createTime: r.createTime.getTime(), successTime: r.successTime?.getTime() })),
  );
}

export async function addOrders(control: SimControl, mchid: string, orders: DemoOrderInput[]): Promise<void> {
  // In batches: a few hundred orders in one body would be close to the control API's body limit.
  for (let i = 0; i < orders.length; i += 500) {
    await control.addTransactions(
      mchid,
      orders.slice(i, i + 500).map((o) => ({ ...o, paidAt: o.paidAt.getTime() })),
    );
  }
}

/**
 * Registers the APIv2 demo merchant (idempotent: an existing one keeps its balance; its key and notify URL are
 * re-asserted) with its orders and accepted refunds.
 */
export async function registerDemoV2(
  control: SimControl,
  options: { dir: string; notifyUrl: string; pki: DemoPki; history?: DemoHistory },
): Promise<DemoV2Credentials> {
  const key = apiV2Key(options.dir);
  await control.upsertMerchant({
    mchid: DEMO_V2_MERCHANT.mchid,
    appid: DEMO_V2_MERCHANT.appid,
    apiV2Key: key,
    notifyUrl: options.notifyUrl,
  });
  await addOrders(control, DEMO_V2_MERCHANT.mchid, options.history?.orders ?? []);
  await importRefunds(control, DEMO_V2_MERCHANT.mchid, options.history?.refunds);
  return {
    mchid: DEMO_V2_MERCHANT.mchid,
    appid: DEMO_V2_MERCHANT.appid,
    apiV2Key: key,
    p12: options.pki.clientP12,
    p12Password: options.pki.p12Password,
  };
}
