import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { encryptionKeySchema } from "../env";
import { err, ok, type Result } from "../result";

/**
 * AES-256-GCM for secrets at rest: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The associated data is not
 * stored; the caller passes what the blob belongs to (e.g. a row's id and version) both when sealing and opening,
 * so a blob copied to another row no longer opens.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export type SealError = "MALFORMED" | "UNSUPPORTED_VERSION" | "AUTHENTICATION_FAILED";
export type EncryptionKeyError = "MISSING" | "INVALID";

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error("the master key must be 32 bytes");
}

export function seal(key: Buffer, plaintext: string | Buffer, associatedData: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The plaintext, or why not: a tampered blob, a wrong key and wrong associated data all fail authentication alike. */
export function open(key: Buffer, sealed: string, associatedData: string): Result<Buffer, SealError> {
  checkKey(key);
  const parts = sealed.split(".");
  if (parts.length !== 4 || !parts.every((p) => BASE64URL.test(p))) return err("MALFORMED");
  const [version, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
  if (version !== VERSION) return err("UNSUPPORTED_VERSION");
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return err("MALFORMED");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tag);
    return ok(Buffer.concat([decipher.update(Buffer.from(ciphertextText, "base64url")), decipher.final()]));
  } catch {
    return err("AUTHENTICATION_FAILED");
  }
}

/** The master key from APP_ENCRYPTION_KEY (validated by lib/env.ts's schema), or why it cannot be used. */
export function encryptionKeyFrom(
  env: Readonly<Record<string, string | undefined>>,
): Result<Buffer, EncryptionKeyError> {
  const value = env.APP_ENCRYPTION_KEY;
  if (!value?.trim()) return err("MISSING");
  const parsed = encryptionKeySchema.safeParse(value);
  return parsed.success ? ok(parsed.data) : err("INVALID");
}
