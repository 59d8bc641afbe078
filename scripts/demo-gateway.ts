/**
 * The demo's WeChat Pay for `npm start`: the simulator started with what the console's database holds (orders and
 * accepted refunds of both demo merchants), and the APIv2 demo merchant's keys stored sealed, as if uploaded.
 * Separate from start.ts so that a test can run exactly this against a database and a data directory of its own.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../lib/db/client";
import { merchants } from "../lib/db/schema";
import { demoGatewayHistory } from "../lib/setup/demo-gateway-history";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { DEMO_V2_MERCHANT } from "../lib/setup/demo-seed-v2";
import { ensureDemoV2Credentials, type DemoV2CredentialsOutcome } from "../lib/setup/demo-v2-credentials";
import { ensureDemoGateway, type DemoGateway } from "../simulator/demo";

export interface DemoGatewayStart {
  dataDir: string;
  port: number;
  tlsPort: number;
  appUrl: string;
  /** APP_ENCRYPTION_KEY's bytes, to seal the APIv2 demo merchant's keys; without it they are not stored. */
  masterKey: Buffer | undefined;
}

/** A merchant's history as the simulator must know it, or none when the database does not have the merchant. */
async function historyOf(db: Database, mchid: string) {
  const [merchant] = await db.select().from(merchants).where(eq(merchants.mchid, mchid));
  return merchant ? demoGatewayHistory(db, merchant.id) : undefined;
}

export async function startDemoGateway(
  db: Database,
  options: DemoGatewayStart,
): Promise<DemoGateway & { apiV2Credentials: DemoV2CredentialsOutcome | "not stored" }> {
  // The simulator learns the console's orders and accepted refunds, so its queries and bills agree with them.
  const history = (await historyOf(db, DEMO_MERCHANT.mchid)) ?? { orders: [] };
  const apiV2History = await historyOf(db, DEMO_V2_MERCHANT.mchid);
  const simulator = await ensureDemoGateway({
    dataDir: options.dataDir,
    port: options.port,
    tlsPort: options.tlsPort,
    appUrl: options.appUrl,
    ...history,
    apiV2: apiV2History && { orders: apiV2History.orders, refunds: apiV2History.refunds },
  });
  try {
    const apiV2Credentials =
      simulator.apiV2 && options.masterKey
        ? await ensureDemoV2Credentials(db, options.masterKey, simulator.apiV2)
        : "not stored";
    return { ...simulator, apiV2Credentials };
  } catch (error) {
    await simulator.stop();
    throw error;
  }
}
