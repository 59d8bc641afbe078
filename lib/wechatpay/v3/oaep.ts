import { constants, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decodeBase64Strict } from "./base64";
import { decodeUtf8Exact } from "../../utf8";

/**
 * Sensitive request fields (bank account, real name) are RSA-OAEP encrypted with the platform certificate or the
 * WeChat Pay public key. WeChat uses OAEP with SHA-1 (and MGF1-SHA-1): Java's "RSA/ECB/OAEPWithSHA-1AndMGF1Padding".
 * SHA-1 here is not a weakness of OAEP; the digest only parameterises the padding.
 */
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" } as const;

/** Encrypts one field; base64 output goes into the JSON body and the key's serial into `Wechatpay-Serial`. */
export function encryptSensitive(plaintext: string, publicKey: KeyObject): Result<string, WechatPayError> {
  if (publicKey.asymmetricKeyType !== "rsa") {
    return err(wechatPayError("config", "ENCRYPTION_FAILED", "the platform key is not an RSA key"));
  }
  try {
    return ok(publicEncrypt({ key: publicKey, ...OAEP }, Buffer.from(plaintext, "utf8")).toString("base64"));
  } catch {
    // The only input-dependent failure: a 2048-bit key holds at most 214 bytes under OAEP-SHA-1.
    return err(wechatPayError("malformed", "ENCRYPTION_FAILED", "field too long for RSA-OAEP"));
  }
}

/** Gateway side (simulator, tests): decrypts a field with the platform private key. */
export function decryptSensitive(ciphertextB64: string, privateKey: KeyObject): Result<string, WechatPayError> {
  const sealed = decodeBase64Strict(ciphertextB64);
  if (!sealed) return err(wechatPayError("malformed", "NOT_BASE64", "ciphertext is not base64"));
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "rsa") {
    return err(wechatPayError("config", "CONFIG_INVALID", "the platform key is not an RSA private key"));
  }
  let plain: Buffer;
  try {
    plain = privateDecrypt({ key: privateKey, ...OAEP }, sealed);
  } catch {
    return err(wechatPayError("decryption", "DECRYPTION_FAILED", "RSA-OAEP decryption failed"));
  }
  const text = decodeUtf8Exact(plain);
  return text === undefined ? err(wechatPayError("malformed", "MALFORMED", "decrypted field is not UTF-8")) : ok(text);
}
