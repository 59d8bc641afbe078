import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decodeBase64Strict } from "./base64";
import { decodeUtf8Exact } from "../../utf8";

export const AEAD_ALGORITHM = "AEAD_AES_256_GCM";
const TAG_LENGTH = 16;
const GCM_BY_KEY_LENGTH: Partial<Record<number, CipherGCMTypes>> = {
  16: "aes-128-gcm",
  24: "aes-192-gcm",
  32: "aes-256-gcm",
};
/** Notifications and certificates are a few KiB; this bounds the work hostile input can cause. */
const MAX_CIPHERTEXT_B64_LENGTH = 64 * 1024;

/** The `resource` of a notification or the `encrypt_certificate` of a platform certificate. */
export interface EncryptedResource {
  algorithm: string;
  /** base64 of ciphertext || 16-byte GCM tag */
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/**
 * The APIv3 key as AES key bytes. Production keys are 32 bytes (AES-256, the only size the merchant platform
 * issues); 16 and 24 are accepted because the SDK test vectors (wechatpay-go) use 16-byte keys, and Go simply picks
 * AES-128 from the key length. Configuration enforces 32 bytes separately.
 */
function aesKey(apiV3Key: string): Result<{ key: Buffer; cipher: CipherGCMTypes }, WechatPayError> {
  const key = Buffer.from(apiV3Key, "utf8");
  const cipher = GCM_BY_KEY_LENGTH[key.length];
  if (!cipher) return err(wechatPayError("config", "APIV3_KEY_INVALID", `APIv3 key is ${key.length} bytes, not 32`));
  return ok({ key, cipher });
}

function checkNonce(nonce: string): Result<Buffer, WechatPayError> {
  // WeChat nonces are 12 ASCII characters; other lengths are valid GCM IVs (the axios-plugin vectors use 16).
  const bytes = Buffer.from(nonce, "utf8");
  if (bytes.length === 0 || bytes.length > 64) {
    return err(wechatPayError("malformed", "MALFORMED", `nonce of ${bytes.length} bytes`));
  }
  return ok(bytes);
}

/**
 * Decrypts an AEAD_AES_256_GCM resource with the APIv3 key. GCM cannot tell a wrong key from a wrong associated_data,
 * a wrong tag or a tampered ciphertext: all of those fail authentication and come back as DECRYPTION_FAILED.
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): Result<string, WechatPayError> {
  if (resource.algorithm !== AEAD_ALGORITHM) {
    return err(wechatPayError("malformed", "UNSUPPORTED_ALGORITHM", `algorithm ${resource.algorithm.slice(0, 40)}`));
  }
  const key = aesKey(apiV3Key);
  if (!key.ok) return key;
  const nonce = checkNonce(resource.nonce);
  if (!nonce.ok) return nonce;
  if (resource.ciphertext.length > MAX_CIPHERTEXT_B64_LENGTH) {
    return err(wechatPayError("malformed", "BODY_TOO_LARGE", "ciphertext exceeds 64 KiB"));
  }
  const sealed = decodeBase64Strict(resource.ciphertext);
  if (!sealed) return err(wechatPayError("malformed", "NOT_BASE64", "ciphertext is not base64"));
  if (sealed.length < TAG_LENGTH) {
    return err(wechatPayError("malformed", "CIPHERTEXT_TOO_SHORT", `${sealed.length} bytes cannot hold a 16-byte tag`));
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(key.value.cipher, key.value.key, nonce.value, {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    const detail = "GCM authentication failed (wrong key, associated data, tag or ciphertext)";
    return err(wechatPayError("decryption", "DECRYPTION_FAILED", detail));
  }
  const text = decodeUtf8Exact(plain);
  return text === undefined
    ? err(wechatPayError("malformed", "MALFORMED", "decrypted resource is not UTF-8"))
    : ok(text);
}

/** Gateway side (simulator, tests): encrypts a resource. A fixed nonce is only for reproducing known answers. */
export function encryptResource(
  plaintext: string,
  apiV3Key: string,
  options: { associatedData?: string; nonce?: string } = {},
): Result<EncryptedResource & { algorithm: typeof AEAD_ALGORITHM; associated_data: string }, WechatPayError> {
  const key = aesKey(apiV3Key);
  if (!key.ok) return key;
  // 12 characters from the base64 alphabet, like WeChat's own nonces (9 random bytes → 12 characters).
  const nonceText = options.nonce ?? randomBytes(9).toString("base64").replace(/[+/]/g, "x");
  const nonce = checkNonce(nonceText);
  if (!nonce.ok) return nonce;
  const associatedData = options.associatedData ?? "";
  const cipher = createCipheriv(key.value.cipher, key.value.key, nonce.value, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return ok({
    algorithm: AEAD_ALGORITHM,
    ciphertext: sealed.toString("base64"),
    nonce: nonceText,
    associated_data: associatedData,
  });
}
