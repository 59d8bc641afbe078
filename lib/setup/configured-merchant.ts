import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, SYSTEM_ACTOR } from "../audit/append";
import type { Database } from "../db/client";
import { merchants, type Merchant } from "../db/schema";
import { loadMerchantCredentialsFromEnv, requireV3Credentials } from "../wechatpay/config";
import { v2CredentialsOf } from "../wechatpay/gateway";

type Env = Readonly<Record<string, string | undefined>>;

/** The merchant row's own settings among the WECHATPAY_* variables (the key material is read by lib/wechatpay/config). */
const merchantEnvSchema = z.object({
  WECHATPAY_MERCHANT_NAME: z.string().trim().min(1).max(100).optional().catch(undefined),
  WECHATPAY_API_VERSION: z.enum(["v3", "v2"]).default("v3"),
  WECHATPAY_SUB_APPID: z
    .string()
    .trim()
    .optional()
    .transform((s) => s || undefined),
});

export type ConfiguredMerchant =
  /** No WECHATPAY_MCHID: the console runs with the demo merchant and the bundled simulator. */
  | { kind: "none" }
  /** WECHATPAY_* set: the merchant they name, created or brought up to date; `problems` say what will not work. */
  | { kind: "created" | "updated" | "kept"; merchant: Merchant; problems: string[] }
  /** WECHATPAY_* set but unreadable (a malformed mchid, a key that is not a key): nothing written. */
  | { kind: "invalid"; problems: string[] };

/** Whether real credentials are configured: then there is no demo merchant, no demo data and no simulator. */
export function realMerchantConfigured(env: Env): boolean {
  return Boolean(env.WECHATPAY_MCHID?.trim());
}

/**
 * The merchant that WECHATPAY_MCHID names is the console's merchant: at every start it is created, or updated to what
 * the variables say (name, API version, service-provider mode), with `credentials_ref = 'env'`. Its keys stay in the
 * environment (ADR 008): they are read from there by every instance and never written to the database. What is
 * missing for the chosen API version is returned as problems, one line each, for the start-up log — the merchant is
 * still recorded, so the console can show the problem instead of refusing to start.
 */
export async function ensureConfiguredMerchant(db: Database, env: Env): Promise<ConfiguredMerchant> {
  if (!realMerchantConfigured(env)) return { kind: "none" };
  const credentials = loadMerchantCredentialsFromEnv(env);
  if (!credentials.ok) return { kind: "invalid", problems: [credentials.error.detail] };
  const parsed = merchantEnvSchema.safeParse(env);
  if (!parsed.success)
    return { kind: "invalid", problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  const c = credentials.value!;
  const settings = parsed.data;
  const apiVersion = settings.WECHATPAY_API_VERSION;
  const complete = apiVersion === "v3" ? requireV3Credentials(c) : v2CredentialsOf(c);
  const problems = complete.ok ? [] : [complete.error.detail];

  const wanted = {
    mchid: c.mchid,
    subMchid: c.subMchid ?? null,
    appid: c.appid ?? "",
    subAppid: settings.WECHATPAY_SUB_APPID ?? null,
    mode: c.subMchid ? ("partner" as const) : ("direct" as const),
    apiVersion,
    credentialsRef: "env",
    merchantSerialNo: c.merchantSerialNo ?? null,
    platformCertificates: c.platformCertificates ?? ("trusted" as const),
  };
  return db.transaction(async (tx) => {
    // Instances starting together: one creates, the others find it.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('merchants.configured'))`);
    const [existing] = await tx
      .select()
      .from(merchants)
      .where(
        and(
          eq(merchants.mchid, wanted.mchid),
          wanted.subMchid ? eq(merchants.subMchid, wanted.subMchid) : isNull(merchants.subMchid),
        ),
      )
      .for("update");
    if (!existing) {
      const [created] = await tx
        .insert(merchants)
        .values({ ...wanted, displayName: settings.WECHATPAY_MERCHANT_NAME ?? `WeChat Pay ${wanted.mchid}` })
        .returning();
      await appendAudit(
        tx,
        SYSTEM_ACTOR,
        "merchant.configured",
        { type: "merchant", id: created!.id, merchantId: created!.id },
        { ...wanted, source: "environment" },
      );
      return { kind: "created", merchant: created!, problems };
    }
    const next = { ...wanted, displayName: settings.WECHATPAY_MERCHANT_NAME ?? existing.displayName };
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((field) => existing[field] !== next[field]);
    if (changed.length === 0) return { kind: "kept", merchant: existing, problems };
    const [updated] = await tx.update(merchants).set(next).where(eq(merchants.id, existing.id)).returning();
    const before = Object.fromEntries(changed.map((field) => [field, existing[field]]));
    const after = Object.fromEntries(changed.map((field) => [field, next[field]]));
    await appendAudit(
      tx,
      SYSTEM_ACTOR,
      "merchant.configured",
      { type: "merchant", id: existing.id, merchantId: existing.id },
      { before, after, source: "environment" },
    );
    return { kind: "updated", merchant: updated!, problems };
  });
}
