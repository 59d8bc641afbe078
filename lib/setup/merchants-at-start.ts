import { ensureBootstrapApiKey, type BootstrapOutcome } from "../api-keys/keys";
import type { Database } from "../db/client";
import { ensureConfiguredMerchant, type ConfiguredMerchant } from "./configured-merchant";
import { seedDemoData } from "./demo-seed";
import { seedDemoV2Merchant } from "./demo-seed-v2";

type Env = Readonly<Record<string, string | undefined>>;

export interface MerchantsAtStart {
  configured: ConfiguredMerchant;
  demo: { seeded: boolean; orders: number };
  /** The APIv2 demo merchant, added to a demo database that does not have it yet. */
  demoApiV2: { seeded: boolean; orders: number };
  apiKey: BootstrapOutcome;
}

/**
 * The merchants a start leaves in the database. Real credentials (WECHATPAY_MCHID) make their merchant the console's,
 * and the MERCHANT_API_KEY its key; only without them is the demo merchant seeded (on an empty database, unless
 * SEED_DEMO=false) for the bundled simulator to play WeChat Pay to, with the APIv2 demo merchant beside it.
 */
export async function setUpMerchants(db: Database, env: Env, now = new Date()): Promise<MerchantsAtStart> {
  const configured = await ensureConfiguredMerchant(db, env);
  const demoWanted = configured.kind === "none" && env.SEED_DEMO !== "false";
  const demo = demoWanted ? await seedDemoData(db, now) : { seeded: false, orders: 0 };
  const demoApiV2 = demoWanted ? await seedDemoV2Merchant(db, now) : { seeded: false, orders: 0 };
  const apiKey = await ensureBootstrapApiKey(
    db,
    env.MERCHANT_API_KEY,
    "merchant" in configured ? configured.merchant.id : null,
  );
  return { configured, demo, demoApiV2, apiKey };
}
