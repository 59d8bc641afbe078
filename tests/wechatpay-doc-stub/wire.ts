/**
 * WeChat Pay APIv3's wire rules as the documentation states them, written for this stub alone with node:crypto — on
 * purpose not shared with lib/wechatpay or the simulator, so that a misunderstanding there shows up here.
 *
 * - 签名生成 (request signing): `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
 *   timestamp="…",serial_no="…"`, the signature SHA256withRSA (PKCS#1 v1.5) over
 *   `method\nurl\ntimestamp\nnonce\nbody\n`, where url is the path with its query string.
 * - 签名验证 (answers and callbacks): `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`,
 *   `Wechatpay-Serial`, the signature over `timestamp\nnonce\nbody\n`, made with the platform certificate's key or the
 *   WeChat Pay public key's (then the serial is the public key id, `PUB_KEY_ID_…`).
 * - 证书和回调报文解密: AEAD_AES_256_GCM under the 32-byte APIv3 key, 12-byte nonce, the 16-byte tag appended to the
 *   ciphertext, all base64.
 */
import { createCipheriv, createSign, createVerify, randomBytes, type KeyObject } from "node:crypto";

export interface AuthorizationParts {
  scheme: string;
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/** The documented header: a scheme, then `key="value"` pairs in any order. Undefined when a part is missing. */
export function parseAuthorization(header: string | null): AuthorizationParts | undefined {
  const match = header && /^(\S+) (.*)$/.exec(header);
  if (!match) return undefined;
  const pairs = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const { mchid, nonce_str, signature, timestamp, serial_no } = pairs;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return undefined;
  return { scheme: match[1]!, mchid, nonce_str, signature, timestamp, serial_no };
}

export function requestMessage(method: string, url: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function rsaSign(privateKey: KeyObject, message: string): string {
  return createSign("RSA-SHA256").update(message).sign(privateKey, "base64");
}

export function rsaVerify(publicKey: KeyObject, message: string, signature: string): boolean {
  return createVerify("RSA-SHA256").update(message).verify(publicKey, signature, "base64");
}

/** A WeChat-signed message's headers: answers and callbacks alike. */
export function wechatSignatureHeaders(
  signer: { serial: string; privateKey: KeyObject },
  body: string,
  now = new Date(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = randomBytes(16).toString("hex").toUpperCase();
  return {
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Signature": rsaSign(signer.privateKey, `${timestamp}\n${nonce}\n${body}\n`),
    "Wechatpay-Serial": signer.serial,
  };
}

export interface EncryptedResource {
  algorithm: "AEAD_AES_256_GCM";
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
  nonce = randomBytes(6).toString("hex"),
): EncryptedResource {
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: ciphertext.toString("base64"),
    associated_data: associatedData,
    nonce,
  };
}

/** WeChat writes times as RFC 3339 in Beijing time: `2018-06-08T10:34:56+08:00`. */
export function beijingTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00");
}
