import { and, eq, sql } from "drizzle-orm";
import { encryptionKeyFrom } from "../crypto/seal";
import type { Db } from "../db/client";
import { statement } from "../db/statement";
import {
  merchantCredentials,
  merchants,
  type CredentialStatus,
  type Merchant,
  type MerchantCredentialRow,
} from "../db/schema";
import { log } from "../log";
import { openSecrets } from "../merchants/credential-secrets";
import { usableCredentialRows } from "../merchants/credentials";
import type { RefundGateway } from "../refunds/gateway";
import { err, ok, type Result } from "../result";
import { loadMerchantCredentialsFromEnv, loadMerchantCredentialsFromStored, type MerchantCredentials } from "./config";
import { wechatPayError, type WechatPayError } from "./errors";
import { createRefundGateway } from "./gateway";
import type { PlatformKeyStore } from "./v3/key-store";
import { processEnv } from "../env";

/** Everything the console holds to talk to WeChat Pay as one merchant, and to check what WeChat sends it. */
export interface MerchantWechatPay {
  merchant: Merchant;
  credentials: MerchantCredentials;
  gateway: RefundGateway;
  /** APIv3 merchants only: the platform keys the gateway verifies answers with, and callbacks are verified with. */
  keys?: PlatformKeyStore;
  /** Credentials uploaded in the console (`credentials_ref = 'db'`): which version, and whether it is the active one. */
  credentialVersion?: { version: number; status: CredentialStatus };
}

/** Where `env` credentials come from: the process's variables, or a test's own variables. */
type Env = Readonly<Record<string, string | undefined>>;

type Wiring = Omit<MerchantWechatPay, "merchant">;

/**
 * One entry per merchant and credential version per process: a platform key store's certificate cache and
 * once-a-minute refresh limit must be shared by every call and every callback. The key holds what the wiring is made
 * of (the merchant's ids and API version, the credential version's row id), so an edit or a new version wires anew
 * while other processes, reading the same rows, do the same.
 */
const cache = new Map<string, Wiring>();

const wiringKey = (merchant: Merchant, source: string) =>
  [
    merchant.id,
    merchant.apiVersion,
    merchant.mchid,
    merchant.subMchid ?? "",
    merchant.appid,
    merchant.platformCertificates,
    source,
  ].join(":");

function cached(
  key: string,
  merchant: Merchant,
  make: () => Result<Wiring, WechatPayError>,
): Result<MerchantWechatPay, WechatPayError> {
  let wiring = cache.get(key);
  if (!wiring) {
    const made = make();
    if (!made.ok) return made;
    cache.set(key, (wiring = made.value));
  }
  // The row is always the caller's fresh one; only the wiring (credentials, gateway, keys) is kept.
  return ok({ ...wiring, merchant });
}

function wired(credentials: MerchantCredentials, merchant: Merchant): Result<Wiring, WechatPayError> {
  const gateway = createRefundGateway(credentials, merchant.apiVersion);
  return gateway.ok ? ok({ credentials, gateway: gateway.value.gateway, keys: gateway.value.keys }) : gateway;
}

/** `credentials_ref = 'env'`: the WECHATPAY_* variables, for the one merchant they name. */
function wireFromEnv(merchant: Merchant, env: Env): Result<MerchantWechatPay, WechatPayError> {
  return cached(wiringKey(merchant, "env"), merchant, () => {
    const credentials = loadMerchantCredentialsFromEnv(env);
    if (!credentials.ok) return credentials;
    if (!credentials.value || credentials.value.mchid !== merchant.mchid) {
      return err(
        wechatPayError("config", "CONFIG_MISSING", `no WeChat Pay credentials for merchant ${merchant.mchid}`),
      );
    }
    return wired(credentials.value, merchant);
  });
}

/** `credentials_ref = 'db'`: one uploaded version, its secrets opened in memory only, on first use in this process. */
function wireFromRow(
  merchant: Merchant,
  row: MerchantCredentialRow,
  env: Env,
): Result<MerchantWechatPay, WechatPayError> {
  const made = cached(wiringKey(merchant, `db:${row.id}:${row.version}`), merchant, () => {
    const masterKey = encryptionKeyFrom(env);
    if (!masterKey.ok) {
      return err(
        wechatPayError(
          "config",
          "CONFIG_INVALID",
          `APP_ENCRYPTION_KEY is ${masterKey.error === "MISSING" ? "not set" : "invalid"}`,
        ),
      );
    }
    const secrets = openSecrets(masterKey.value, row);
    if (!secrets.ok) {
      const detail = `credential version ${row.version} of merchant ${merchant.mchid} does not open with APP_ENCRYPTION_KEY`;
      return err(wechatPayError("config", "CONFIG_INVALID", detail));
    }
    const credentials = loadMerchantCredentialsFromStored(
      {
        merchant,
        merchantSerialNo: row.merchantSerialNo,
        publicKeyId: row.publicKeyId,
        publicKeyPem: row.publicKeyPem,
        secrets: secrets.value,
      },
      env,
    );
    return credentials.ok ? wired(credentials.value, merchant) : credentials;
  });
  return made.ok ? ok({ ...made.value, credentialVersion: { version: row.version, status: row.status } }) : made;
}

/**
 * The merchant's row and its active credential version (none for `env` merchants), in one statement built once per
 * process (lib/db/statement.ts): every call to WeChat Pay asks, so that an edit or a rotation in any instance applies
 * to the next call in every instance.
 */
const merchantWithActiveCredentials = statement((db) =>
  db
    .select({ merchant: merchants, active: merchantCredentials })
    .from(merchants)
    .leftJoin(
      merchantCredentials,
      and(eq(merchantCredentials.merchantId, merchants.id), eq(merchantCredentials.status, "active")),
    )
    .where(eq(merchants.id, sql.placeholder("merchantId"))),
);

/** A merchant's gateway, credentials and platform keys: for `db` merchants, those of the active version. */
export async function merchantWechatPay(
  db: Db,
  merchantId: string,
  env: Env = processEnv,
): Promise<Result<MerchantWechatPay, WechatPayError>> {
  const [row] = await merchantWithActiveCredentials(db, { merchantId });
  // Not WeChat's MCH_NOT_EXISTS: it is the console that has no such merchant, not WeChat Pay.
  if (!row) return err(wechatPayError("config", "CONFIG_MISSING", `merchant ${merchantId} is not in the console`));
  const { merchant, active } = row;
  if (merchant.credentialsRef !== "db") return wireFromEnv(merchant, env);
  if (!active)
    return err(wechatPayError("config", "CONFIG_MISSING", `merchant ${merchant.mchid} has no active credentials`));
  return wireFromRow(merchant, active, env);
}

/** The gateway for a merchant, from where its credentials live. */
export async function gatewayForMerchant(
  db: Db,
  merchantId: string,
  env: Env = processEnv,
): Promise<Result<RefundGateway, WechatPayError>> {
  const wiredMerchant = await merchantWechatPay(db, merchantId, env);
  return wiredMerchant.ok ? ok(wiredMerchant.value.gateway) : wiredMerchant;
}

/**
 * Every usable credential set: the candidates a callback may be addressed to (WeChat's callbacks name the merchant
 * only inside the signed or encrypted part). A `db` merchant gives its active version first, then its standby ones,
 * which are still accepted while a rotation is under way; merchants without usable credentials are left out.
 */
export async function configuredMerchants(db: Db, env: Env = processEnv): Promise<MerchantWechatPay[]> {
  const rows = await db.select().from(merchants).orderBy(merchants.createdAt);
  const versions = await usableCredentialRows(
    db,
    rows.filter((m) => m.credentialsRef === "db").map((m) => m.id),
  );
  return rows.flatMap((merchant) => {
    if (merchant.credentialsRef !== "db") {
      const fromEnv = wireFromEnv(merchant, env);
      return fromEnv.ok ? [fromEnv.value] : [];
    }
    return versions
      .filter((row) => row.merchantId === merchant.id)
      .flatMap((row) => {
        const fromRow = wireFromRow(merchant, row, env);
        if (fromRow.ok) return [fromRow.value];
        log.warn(
          { merchant: merchant.id, version: row.version, code: fromRow.error.code, detail: fromRow.error.detail },
          "credential version unusable",
        );
        return [];
      });
  });
}

/** Whether a merchant row is the one WeChat names by `mchid` (direct) or `sp_mchid` + `sub_mchid` (partner). */
export function isMerchant(
  merchant: Pick<Merchant, "mchid" | "subMchid">,
  named: { mchid: string; subMchid?: string },
): boolean {
  return merchant.mchid === named.mchid && (merchant.subMchid ?? undefined) === named.subMchid;
}
