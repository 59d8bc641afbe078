/**
 * Registering simulated merchants. A merchant may bring its own key material (its public key and serial, API keys)
 * or have it generated; the platform key pair is always the simulator's own. The answer is what a real merchant
 * would take from the merchant platform: its keys, and WeChat Pay's public key and certificate.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { z } from "zod";
import { err, ok, type Result } from "../../lib/result";
import { generateRsaKeyPair, provisionPlatform, randomApiKey, randomSerial } from "../keys";
import { signingModeSchema, type Merchant, type SimState } from "../state/schema";

/** ¥1,000,000.00: enough that only a test that means to run out of money does. */
export const DEFAULT_BALANCE_FEN = 100_000_000;

export const merchantInputSchema = z.object({
  mchid: z.string().regex(/^\d{8,12}$/, "mchid: 8-12 digits"),
  appid: z
    .string()
    .regex(/^[0-9A-Za-z_]{1,32}$/)
    .optional(),
  /** SPKI public key PEM, or the merchant API certificate PEM (its serial is then read from it). */
  merchantPublicKey: z.string().optional(),
  merchantSerialNo: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,64}$/)
    .optional(),
  apiV3Key: z
    .string()
    .refine((k) => Buffer.byteLength(k, "utf8") === 32, "apiV3Key: 32 bytes")
    .optional(),
  apiV2Key: z.string().length(32, "apiV2Key: 32 characters").optional(),
  signingMode: signingModeSchema.optional(),
  balanceFen: z.number().int().nonnegative().optional(),
  /** null goes back to the simulator-wide interval. */
  orderIntervalMs: z.number().int().nonnegative().nullable().optional(),
  notifyUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
});
export type MerchantInput = z.infer<typeof merchantInputSchema>;

/** Key material changes through POST /_sim/merchants; a patch changes settings only. */
export const merchantPatchSchema = merchantInputSchema.omit({
  mchid: true,
  merchantPublicKey: true,
  merchantSerialNo: true,
});

/** Everything the merchant side needs to talk to the simulator, secrets included (control API only). */
export interface MerchantMaterial {
  created: boolean;
  mchid: string;
  appid: string;
  merchantSerialNo: string;
  /** Only when the simulator generated the merchant key pair in this call; it keeps no copy. */
  merchantPrivateKey?: string;
  apiV3Key: string;
  apiV2Key: string;
  publicKeyId: string;
  platformPublicKey: string;
  platformCertificate: string;
  platformCertificateSerial: string;
  signingMode: Merchant["signingMode"];
  balanceFen: number;
}

/** A merchant without its secrets: for listings and the HTML page. */
export function publicView(m: Merchant): Record<string, unknown> {
  return {
    mchid: m.mchid,
    appid: m.appid,
    merchantSerialNo: m.merchantSerialNo,
    publicKeyId: m.platform.publicKeyId,
    platformCertificateSerial: m.platform.certificateSerial,
    signingMode: m.signingMode,
    balanceFen: m.balanceFen,
    orderIntervalMs: m.orderIntervalMs ?? null,
    notifyUrl: m.notifyUrl ?? null,
  };
}

/** The merchant's public key as SPKI PEM and the serial to expect, from a key or a certificate. */
function merchantKey(
  pem: string,
  serial: string | undefined,
): Result<{ publicKeyPem: string; serial: string }, string> {
  try {
    if (pem.includes("BEGIN CERTIFICATE")) {
      const certificate = new X509Certificate(pem);
      if (certificate.publicKey.asymmetricKeyType !== "rsa") return err("merchantPublicKey: not an RSA certificate");
      const publicKeyPem = certificate.publicKey.export({ type: "spki", format: "pem" }).toString();
      return ok({ publicKeyPem, serial: serial ?? certificate.serialNumber });
    }
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== "rsa") return err("merchantPublicKey: not an RSA key");
    if (!serial) return err("merchantSerialNo is required with a bare public key");
    return ok({ publicKeyPem: key.export({ type: "spki", format: "pem" }).toString(), serial });
  } catch {
    return err("merchantPublicKey: not a PEM public key or certificate");
  }
}

/** Creates the merchant, or updates the fields given; keys not given are generated on creation and kept on update. */
export function upsertMerchant(state: SimState, input: MerchantInput): Result<MerchantMaterial, string> {
  const existing = Object.hasOwn(state.merchants, input.mchid) ? state.merchants[input.mchid] : undefined;
  if (!existing && !input.appid) return err("appid is required for a new merchant");
  if (input.merchantSerialNo && !input.merchantPublicKey && !existing) {
    return err("merchantSerialNo needs merchantPublicKey");
  }

  let generatedPrivateKey: string | undefined;
  let key: { publicKeyPem: string; serial: string } | undefined;
  if (input.merchantPublicKey) {
    const parsed = merchantKey(input.merchantPublicKey, input.merchantSerialNo);
    if (!parsed.ok) return parsed;
    key = parsed.value;
  } else if (!existing) {
    const pair = generateRsaKeyPair();
    generatedPrivateKey = pair.privateKeyPem;
    key = { publicKeyPem: pair.publicKeyPem, serial: randomSerial() };
  }

  const merchant: Merchant = existing ?? {
    mchid: input.mchid,
    appid: input.appid ?? "",
    merchantSerialNo: "",
    merchantPublicKeyPem: "",
    apiV3Key: input.apiV3Key ?? randomApiKey(),
    apiV2Key: input.apiV2Key ?? randomApiKey(),
    platform: provisionPlatform(input.mchid),
    signingMode: "public_key",
    balanceFen: DEFAULT_BALANCE_FEN,
  };
  if (key) {
    merchant.merchantPublicKeyPem = key.publicKeyPem;
    merchant.merchantSerialNo = key.serial.toUpperCase();
  } else if (input.merchantSerialNo) {
    merchant.merchantSerialNo = input.merchantSerialNo.toUpperCase(); // a renewed certificate of the same key
  }
  applyPatch(merchant, input);
  state.merchants[merchant.mchid] = merchant;
  return ok({
    ...material(merchant),
    created: !existing,
    ...(generatedPrivateKey ? { merchantPrivateKey: generatedPrivateKey } : {}),
  });
}

/** The settings that may change at any time: appid, API keys, signing mode, balance, interval, notify URL. */
export function applyPatch(merchant: Merchant, patch: z.infer<typeof merchantPatchSchema>): void {
  if (patch.appid !== undefined) merchant.appid = patch.appid;
  if (patch.apiV3Key !== undefined) merchant.apiV3Key = patch.apiV3Key;
  if (patch.apiV2Key !== undefined) merchant.apiV2Key = patch.apiV2Key;
  if (patch.signingMode !== undefined) merchant.signingMode = patch.signingMode;
  if (patch.balanceFen !== undefined) merchant.balanceFen = patch.balanceFen;
  if (patch.orderIntervalMs === null) delete merchant.orderIntervalMs;
  else if (patch.orderIntervalMs !== undefined) merchant.orderIntervalMs = patch.orderIntervalMs;
  if (patch.notifyUrl === null) delete merchant.notifyUrl;
  else if (patch.notifyUrl !== undefined) merchant.notifyUrl = patch.notifyUrl;
}

function material(m: Merchant): Omit<MerchantMaterial, "created"> {
  return {
    mchid: m.mchid,
    appid: m.appid,
    merchantSerialNo: m.merchantSerialNo,
    apiV3Key: m.apiV3Key,
    apiV2Key: m.apiV2Key,
    publicKeyId: m.platform.publicKeyId,
    platformPublicKey: m.platform.publicKeyPem,
    platformCertificate: m.platform.certificatePem,
    platformCertificateSerial: m.platform.certificateSerial,
    signingMode: m.signingMode,
    balanceFen: m.balanceFen,
  };
}
