import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, merchants, users } from "./core";

/**
 * Key rotation without downtime: a new version is uploaded as `standby`, then activated (the old active one becomes
 * `standby` and is still tried for callbacks signed or encrypted with it), then the old one is retired.
 */
export const credentialStatus = pgEnum("credential_status", ["active", "standby", "retired"]);

/** A merchant's key material uploaded in the browser. Secrets are sealed with AES-256-GCM under APP_ENCRYPTION_KEY. */
export const merchantCredentials = pgTable(
  "merchant_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    merchantId: uuid("merchant_id")
      .notNull()
      .references(() => merchants.id),
    version: integer("version").notNull(),
    status: credentialStatus("status").notNull().default("standby"),
    /** Public parts, shown in the console. */
    merchantSerialNo: text("merchant_serial_no"),
    publicKeyId: text("public_key_id"),
    publicKeyPem: text("public_key_pem"),
    /** Sealed JSON of the secret parts (private key, APIv3 key, APIv2 key, p12): `v1.<iv>.<tag>.<ciphertext>`. */
    secretsSealed: text("secrets_sealed").notNull(),
    /** Which secrets are present and a short SHA-256 fingerprint of each, so admins can tell versions apart. */
    fingerprints: jsonb("fingerprints").$type<Record<string, string>>().notNull().default({}),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: at("created_at").notNull().defaultNow(),
    activatedAt: at("activated_at"),
    retiredAt: at("retired_at"),
  },
  (t) => [
    unique("merchant_credentials_version_key").on(t.merchantId, t.version),
    uniqueIndex("merchant_credentials_one_active")
      .on(t.merchantId)
      .where(sql`${t.status} = 'active'`),
    index("merchant_credentials_merchant_idx").on(t.merchantId, t.status),
  ],
);

export type MerchantCredentialRow = typeof merchantCredentials.$inferSelect;
export type CredentialStatus = (typeof credentialStatus.enumValues)[number];
