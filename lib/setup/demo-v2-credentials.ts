import { and, eq } from "drizzle-orm";
import type { AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { merchantCredentials, merchants } from "../db/schema";
import { fingerprintsOf, openSecrets } from "../merchants/credential-secrets";
import { activateCredentials, addCredentials, retireCredentials } from "../merchants/credentials";
import { DEMO_V2_MERCHANT } from "./demo-seed-v2";

/** What the simulator gave the APIv2 demo merchant: the same parts an admin uploads for a v2 merchant. */
export interface DemoV2Material {
  apiV2Key: string;
  p12: Buffer;
  p12Password: string;
}

export type DemoV2CredentialsOutcome = "absent" | "unchanged" | "added";

/** Changes made by the start script, as the audit log shows them. */
const START_ACTOR: AuditActor = { id: null, label: "npm start (demo)" };

/**
 * Keeps the APIv2 demo merchant's active credential version equal to the simulator's material: nothing when it
 * already is (a restart), else a new sealed version is added, activated and the old one retired, since the simulator
 * no longer accepts its certificate. A version that no longer opens (the master key changed) counts as different.
 * Does nothing when the database has no such merchant (no demo, or a real deployment).
 */
export async function ensureDemoV2Credentials(
  db: Database,
  masterKey: Buffer,
  material: DemoV2Material,
): Promise<DemoV2CredentialsOutcome> {
  const [merchant] = await db
    .select()
    .from(merchants)
    .where(and(eq(merchants.mchid, DEMO_V2_MERCHANT.mchid), eq(merchants.credentialsRef, "db")));
  if (!merchant) return "absent";
  const secrets = {
    apiV2Key: material.apiV2Key,
    p12Base64: material.p12.toString("base64"),
    p12Password: material.p12Password,
  };
  const [active] = await db
    .select()
    .from(merchantCredentials)
    .where(and(eq(merchantCredentials.merchantId, merchant.id), eq(merchantCredentials.status, "active")));
  if (active) {
    const opened = openSecrets(masterKey, active);
    const wanted = fingerprintsOf(secrets, null);
    const same =
      opened.ok &&
      opened.value.p12Password === material.p12Password &&
      active.fingerprints.apiV2Key === wanted.apiV2Key &&
      active.fingerprints.p12 === wanted.p12;
    if (same) return "unchanged";
  }

  const added = await addCredentials(db, {
    merchantId: merchant.id,
    upload: {
      verification: "certificates",
      apiV2Key: material.apiV2Key,
      p12: material.p12,
      p12Password: material.p12Password,
    },
    masterKey,
    createdBy: null,
    actor: START_ACTOR,
  });
  // The material is ours and was checked when made; a refusal here is a bug worth stopping the start for.
  if (!added.ok)
    throw new Error(`demo APIv2 credentials refused: ${added.error.code} ${JSON.stringify(added.error.fieldErrors)}`);
  const activated = await activateCredentials(db, {
    merchantId: merchant.id,
    version: added.value.version,
    actor: START_ACTOR,
  });
  if (!activated.ok) throw new Error(`demo APIv2 credentials not activated: ${activated.error.code}`);
  if (active) await retireCredentials(db, { merchantId: merchant.id, version: active.version, actor: START_ACTOR });
  return "added";
}
