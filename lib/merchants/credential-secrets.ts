import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { z } from "zod";
import { open, seal } from "../crypto/seal";
import { err, ok, type Result } from "../result";
import type { StoredSecrets } from "../wechatpay/config";

/**
 * What a sealed blob belongs to: the merchant and the credential version. Sealing binds the blob to it, so a blob
 * copied to another merchant's row, or to another version of the same merchant, does not open.
 */
export function credentialAssociatedData(merchantId: string, version: number): string {
  return `merchant_credentials:${merchantId}:v${version}`;
}

const storedSecretsSchema = z.object({
  merchantPrivateKeyPem: z.string().optional(),
  apiV3Key: z.string().optional(),
  apiV2Key: z.string().optional(),
  p12Base64: z.string().optional(),
  p12Password: z.string().optional(),
}) satisfies z.ZodType<StoredSecrets>;

export function sealSecrets(key: Buffer, merchantId: string, version: number, secrets: StoredSecrets): string {
  return seal(key, JSON.stringify(secrets), credentialAssociatedData(merchantId, version));
}

export type OpenSecretsError = "UNREADABLE";

/** The secrets of a row, or UNREADABLE (wrong master key, tampered or moved blob). Never logs what it opens. */
export function openSecrets(
  key: Buffer,
  row: { merchantId: string; version: number; secretsSealed: string },
): Result<StoredSecrets, OpenSecretsError> {
  const opened = open(key, row.secretsSealed, credentialAssociatedData(row.merchantId, row.version));
  if (!opened.ok) return err("UNREADABLE");
  try {
    const parsed = storedSecretsSchema.safeParse(JSON.parse(opened.value.toString("utf8")));
    return parsed.success ? ok(parsed.data) : err("UNREADABLE");
  } catch {
    return err("UNREADABLE");
  }
}

/** 16 hex digits of a SHA-256: enough to tell versions apart, nothing to recover a secret from. */
const short = (data: string | Buffer) => createHash("sha256").update(data).digest("hex").slice(0, 16).toUpperCase();

/** A key's fingerprint is its public half's (SPKI DER), so the private key and its public key print the same. */
const keyFingerprint = (pem: string, kind: "private" | "public") =>
  short(
    (kind === "private" ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem)).export({
      type: "spki",
      format: "der",
    }),
  );

/** Which parts a version holds, with a fingerprint of each, for the console (secrets themselves never leave). */
export function fingerprintsOf(secrets: StoredSecrets, publicKeyPem: string | null): Record<string, string> {
  const prints: Record<string, string> = {};
  if (secrets.merchantPrivateKeyPem)
    prints.merchantPrivateKey = keyFingerprint(secrets.merchantPrivateKeyPem, "private");
  if (secrets.apiV3Key) prints.apiV3Key = short(secrets.apiV3Key);
  if (secrets.apiV2Key) prints.apiV2Key = short(secrets.apiV2Key);
  if (secrets.p12Base64) prints.p12 = short(Buffer.from(secrets.p12Base64, "base64"));
  if (publicKeyPem) prints.publicKey = keyFingerprint(publicKeyPem, "public");
  return prints;
}
