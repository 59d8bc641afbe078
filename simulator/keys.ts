/**
 * Key material for simulated merchants: RSA key pairs, certificate serials, API keys, the WeChat Pay public key id,
 * and a self-signed platform certificate made with the openssl CLI (Node can parse X.509 but cannot issue it).
 */
import { execFileSync } from "node:child_process";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * 40 upper-case hex digits, the way WeChat writes certificate serials. The first byte stays within 0x10-0x7f so the
 * number is positive (DER) and has no leading zero that X509Certificate.serialNumber would drop.
 */
export function randomSerial(): string {
  const bytes = randomBytes(20);
  bytes[0] = 0x10 + ((bytes[0] ?? 0) % 0x70);
  return bytes.toString("hex").toUpperCase();
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 32-character APIv3 or APIv2 key, as the merchant platform has the merchant type it in. */
export function randomApiKey(): string {
  let key = "";
  for (let i = 0; i < 32; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

/** `PUB_KEY_ID_` + 32 digits, shaped like WeChat's (which embed the mchid). */
function publicKeyIdFor(mchid: string): string {
  const digits = Array.from({ length: 32 }, () => randomInt(10)).join("");
  return `PUB_KEY_ID_01${(mchid + digits).slice(0, 30)}`;
}

/** A self-signed certificate for `privateKeyPem`, valid from now for `days`, with the given serial. */
export function selfSignedCertificate(privateKeyPem: string, serialHex: string, days = 1825): string {
  // The key must reach openssl as a file; a private temporary directory keeps it from other users.
  const dir = mkdtempSync(join(tmpdir(), "wxpay-sim-"));
  try {
    const keyFile = join(dir, "key.pem");
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    return execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-sha256",
        "-key",
        keyFile,
        "-days",
        String(days),
        "-set_serial",
        `0x${serialHex}`,
        "-subj",
        "/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Simulator Platform",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PlatformMaterial {
  privateKeyPem: string;
  publicKeyPem: string;
  publicKeyId: string;
  certificatePem: string;
  certificateSerial: string;
}

/** One platform key pair, exposed both as a WeChat Pay public key and as a platform certificate. */
export function provisionPlatform(mchid: string): PlatformMaterial {
  const pair = generateRsaKeyPair();
  const certificatePem = selfSignedCertificate(pair.privateKeyPem, randomSerial());
  return {
    ...pair,
    publicKeyId: publicKeyIdFor(mchid),
    certificatePem,
    certificateSerial: new X509Certificate(certificatePem).serialNumber.toUpperCase(),
  };
}

/**
 * KeyObjects are parsed once per PEM. The cache is keyed by the PEM text itself, so a replaced key is simply a new
 * entry; the handful of merchants a simulator holds keeps it small.
 */
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

export function privateKeyOf(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) privateKeys.set(pem, (key = createPrivateKey(pem)));
  return key;
}

export function publicKeyOf(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) publicKeys.set(pem, (key = createPublicKey(pem)));
  return key;
}
