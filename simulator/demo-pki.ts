/**
 * The demo's TLS material (ADR 011): a throw-away CA, the simulator's server certificate for 127.0.0.1 and localhost,
 * and the APIv2 demo merchant's client certificate as WeChat issues it (`apiclient_cert.p12`, CN = mchid,
 * O = Tenpay.com, password = mchid). Made in pure JavaScript (node-forge), so `npm start` needs no openssl CLI; the
 * key pairs come from node:crypto, which is native and much faster than forge's RSA.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import forge from "node-forge";

/** Long enough that a demo never sees it lapse, short enough that an old `.data/` renews it. */
const VALID_DAYS = 825;
/** Material this close to expiry is made anew at start rather than failing in the middle of a demo. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

export interface DemoPki {
  /** Paths, for SIM_TLS_* and NODE_EXTRA_CA_CERTS. */
  files: { ca: string; serverCert: string; serverKey: string; clientP12: string };
  caPem: string;
  clientP12: Buffer;
  p12Password: string;
  /** Whether this call made new material (a sealed copy of the old p12 must then be replaced). */
  generated: boolean;
}

interface Pem {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientP12: Buffer;
}

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function certificate(
  subject: forge.pki.CertificateField[],
  publicKey: forge.pki.rsa.PublicKey,
  now: Date,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // 16 random bytes with the top bit clear: a positive DER integer, unique per certificate as RFC 5280 wants.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString("hex");
  // An hour of slack for clocks that disagree a little.
  cert.validity.notBefore = new Date(now.getTime() - 3_600_000);
  cert.validity.notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  cert.setSubject(subject);
  cert.setExtensions([...extensions, { name: "subjectKeyIdentifier" }]);
  return cert;
}

/** A fresh CA, server certificate and client PKCS#12 for `mchid`. The CA's private key is dropped once used. */
export function generateDemoPki(mchid: string, now = new Date()): Pem {
  const ca = rsaKeys();
  const caName = [
    { name: "commonName", value: "Refund console demo CA (simulator only)" },
    { name: "organizationName", value: "Refund console demo" },
  ];
  const caCert = certificate(caName, ca.publicKey, now, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.setIssuer(caName);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const issue = (keys: ReturnType<typeof rsaKeys>, subject: forge.pki.CertificateField[], extensions: object[]) => {
    const cert = certificate(subject, keys.publicKey, now, [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      ...extensions,
    ]);
    cert.setIssuer(caCert.subject.attributes);
    cert.sign(ca.privateKey, forge.md.sha256.create());
    return cert;
  };

  const server = rsaKeys();
  const serverCert = issue(
    server,
    [{ name: "commonName", value: "127.0.0.1" }],
    [
      { name: "extKeyUsage", serverAuth: true },
      // Type 7 is an IP address, type 2 a DNS name (RFC 5280 GeneralName).
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  );

  const client = rsaKeys();
  const clientCert = issue(
    client,
    [
      { name: "organizationName", value: "Tenpay.com" },
      { name: "commonName", value: mchid },
    ],
    [{ name: "extKeyUsage", clientAuth: true }],
  );
  // 3DES key encryption with a SHA-1 MAC: a PKCS#12 that OpenSSL 3 (Node's) opens without its legacy provider.
  const p12Asn1 = forge.pkcs12.toPkcs12Asn1(client.privateKey, [clientCert, caCert], mchid, {
    algorithm: "3des",
    friendlyName: "Tenpay Certificate",
  });
  return {
    caPem: forge.pki.certificateToPem(caCert),
    serverCertPem: forge.pki.certificateToPem(serverCert),
    serverKeyPem: server.pem,
    clientP12: Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), "binary"),
  };
}

/** The client certificate inside a PKCS#12, read the way WeChat's tools list it: the bag whose CN is the mchid. */
function clientCertificateOf(p12: Buffer, mchid: string): X509Certificate | undefined {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString("binary")), mchid);
  const certBag = forge.pki.oids.certBag as string;
  const bags = parsed.getBags({ bagType: certBag })[certBag] ?? [];
  for (const bag of bags) {
    if (bag.cert?.subject.getField("CN")?.value === mchid)
      return new X509Certificate(forge.pki.certificateToPem(bag.cert));
  }
  return undefined;
}

/** Whether stored material can serve another run: parses, chains to its CA, is for `mchid`, and is not about to lapse. */
function usable(files: DemoPki["files"], mchid: string, now: Date): boolean {
  try {
    const ca = new X509Certificate(readFileSync(files.ca));
    const server = new X509Certificate(readFileSync(files.serverCert));
    const p12 = readFileSync(files.clientP12);
    // The same check the console makes of an uploaded p12, with the passphrase it will use.
    createSecureContext({ pfx: p12, passphrase: mchid });
    const client = clientCertificateOf(p12, mchid);
    if (!client) return false;
    const deadline = now.getTime() + RENEW_BEFORE_MS;
    return (
      [ca, server, client].every((cert) => new Date(cert.validTo).getTime() > deadline) &&
      server.verify(ca.publicKey) &&
      client.verify(ca.publicKey) &&
      server.checkIP("127.0.0.1") !== undefined &&
      server.checkPrivateKey(createPrivateKey(readFileSync(files.serverKey)))
    );
  } catch {
    // Unreadable or unparseable: made anew, like missing material.
    return false;
  }
}

/**
 * The demo PKI under `dir` (mode 700; files 600): generated on first use, kept across restarts, and made anew when a
 * file is missing, unparseable, for another mchid, or within a week of expiry.
 */
export function ensureDemoPki(dir: string, mchid: string, now = new Date()): DemoPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = {
    ca: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientP12: join(dir, "apiclient_cert.p12"),
  };
  const present = Object.values(files).every((file) => existsSync(file));
  const generated = !present || !usable(files, mchid, now);
  if (generated) {
    const made = generateDemoPki(mchid, now);
    writeFileSync(files.ca, made.caPem, { mode: 0o600 });
    writeFileSync(files.serverCert, made.serverCertPem, { mode: 0o600 });
    writeFileSync(files.serverKey, made.serverKeyPem, { mode: 0o600 });
    writeFileSync(files.clientP12, made.clientP12, { mode: 0o600 });
  }
  // Kept private even if someone loosened them: the key and the p12 are credentials.
  for (const file of Object.values(files)) chmodSync(file, 0o600);
  return {
    files,
    caPem: readFileSync(files.ca, "utf8"),
    clientP12: readFileSync(files.clientP12),
    p12Password: mchid,
    generated,
  };
}
