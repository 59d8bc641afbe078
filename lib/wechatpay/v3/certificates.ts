import { X509Certificate, type KeyObject } from "node:crypto";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decryptResource, encryptResource } from "./aead";
import { certificatesBodySchema } from "./schemas";
import { signResponse, verifySignature, type HeaderSource, type KeyResolver, type WechatpayHeaders } from "./verify";

/** A platform certificate from GET /v3/certificates, decrypted and checked. */
export interface PlatformCertificate {
  /** As WeChat declared it in serial_no; compare with normalizeSerial, send as is. */
  serialNo: string;
  publicKey: KeyObject;
  /** Milliseconds since the epoch, as declared by WeChat in effective_time / expire_time. */
  effectiveTime: number;
  expireTime: number;
}

export interface SignedBody {
  headers: HeaderSource;
  body: string;
}

/** The certificates list is a few KiB; anything far larger is not WeChat's answer. */
const MAX_CERTIFICATES_BODY_BYTES = 64 * 1024;

/**
 * Certificate serials are hex numbers: WeChat writes them upper-case, sometimes with leading zeros (40 digits),
 * while X509Certificate.serialNumber drops a leading zero byte. Compare numbers, not spellings.
 */
export function normalizeSerial(serial: string): string {
  const upper = serial.toUpperCase().replace(/^0+/, "");
  return upper === "" ? "0" : upper;
}

function certificateError(detail: string): Result<never, WechatPayError> {
  return err(wechatPayError("verification", "CERTIFICATE_INVALID", detail));
}

/** Parses a decrypted PEM and checks that its serial is the one WeChat declared next to it. */
export function parseCertificate(pem: string, declaredSerial: string): Result<KeyObject, WechatPayError> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return certificateError(`certificate ${declaredSerial} is not a parseable X.509 PEM`);
  }
  if (normalizeSerial(certificate.serialNumber) !== normalizeSerial(declaredSerial)) {
    return certificateError(`certificate serial ${certificate.serialNumber} differs from serial_no ${declaredSerial}`);
  }
  if (certificate.publicKey.asymmetricKeyType !== "rsa") {
    return certificateError(`certificate ${declaredSerial} does not hold an RSA key`);
  }
  return ok(certificate.publicKey);
}

/** Decrypts every `encrypt_certificate` of a GET /v3/certificates body with the APIv3 key; no signature check. */
export function decryptCertificates(body: string, apiV3Key: string): Result<PlatformCertificate[], WechatPayError> {
  if (Buffer.byteLength(body, "utf8") > MAX_CERTIFICATES_BODY_BYTES) {
    return err(wechatPayError("malformed", "BODY_TOO_LARGE", "certificates body exceeds 64 KiB"));
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return err(wechatPayError("malformed", "MALFORMED", "certificates body is not JSON"));
  }
  const parsed = certificatesBodySchema.safeParse(json);
  if (!parsed.success) {
    return err(wechatPayError("malformed", "MALFORMED", "certificates body has an unexpected shape"));
  }

  const certificates: PlatformCertificate[] = [];
  for (const entry of parsed.data.data) {
    const pem = decryptResource(entry.encrypt_certificate, apiV3Key);
    if (!pem.ok) return pem;
    const publicKey = parseCertificate(pem.value, entry.serial_no);
    if (!publicKey.ok) return publicKey;
    certificates.push({
      serialNo: entry.serial_no,
      publicKey: publicKey.value,
      effectiveTime: Date.parse(entry.effective_time),
      expireTime: Date.parse(entry.expire_time),
    });
  }
  return ok(certificates);
}

/**
 * Decrypts a GET /v3/certificates answer and verifies its signature the way WeChat's SDKs do: with one of the
 * certificates it contains (bootstrapping: there is nothing else to verify the first download with), or with a key
 * already trusted (`trusted`, e.g. the WeChat Pay public key during a migration). Decryption comes first here, unlike
 * notifications, because the key that verifies is inside; the GCM tag under the APIv3 key is what makes the
 * certificates trustworthy even before the signature is checked.
 */
export async function verifyCertificatesResponse(
  response: SignedBody,
  apiV3Key: string,
  options: { trusted?: KeyResolver; now?: () => number } = {},
): Promise<Result<PlatformCertificate[], WechatPayError>> {
  const certificates = decryptCertificates(response.body, apiV3Key);
  if (!certificates.ok) return certificates;
  const resolve: KeyResolver = async (serial) => {
    const inside = certificates.value.find((c) => normalizeSerial(c.serialNo) === normalizeSerial(serial));
    return inside?.publicKey ?? (await options.trusted?.(serial));
  };
  const verified = await verifySignature(response, resolve, { now: options.now });
  return verified.ok ? certificates : verified;
}

/** Gateway side (simulator, tests): the signed GET /v3/certificates answer for these certificates. */
export function buildCertificatesResponse(input: {
  certificates: readonly { pem: string; effectiveTime: string; expireTime: string }[];
  apiV3Key: string;
  signer: { privateKey: KeyObject; serial: string };
  timestamp?: string;
}): Result<{ headers: WechatpayHeaders; body: string }, WechatPayError> {
  const data = [];
  for (const certificate of input.certificates) {
    let serial: string;
    try {
      serial = new X509Certificate(certificate.pem).serialNumber;
    } catch {
      return certificateError("not a parseable X.509 PEM");
    }
    const encrypted = encryptResource(certificate.pem, input.apiV3Key, { associatedData: "certificate" });
    if (!encrypted.ok) return encrypted;
    data.push({
      serial_no: serial,
      effective_time: certificate.effectiveTime,
      expire_time: certificate.expireTime,
      encrypt_certificate: encrypted.value,
    });
  }
  const body = JSON.stringify({ data });
  const headers = signResponse({ body, ...input.signer, timestamp: input.timestamp });
  return headers.ok ? ok({ headers: headers.value, body }) : headers;
}
