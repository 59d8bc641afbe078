import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext, type TLSSocket } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { postXml } from "../lib/wechatpay/v2/transport";
import { ensureDemoPki } from "./demo-pki";

const MCHID = "1900000110";
const root = mkdtempSync(join(tmpdir(), "wxpay-demo-pki-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the demo PKI", () => {
  const dir = join(root, "tls");
  const pki = ensureDemoPki(dir, MCHID);

  it("makes a client p12 that node:tls opens with the mchid as password, and no other", () => {
    expect(pki.generated).toBe(true);
    expect(pki.p12Password).toBe(MCHID);
    expect(() => createSecureContext({ pfx: pki.clientP12, passphrase: MCHID })).not.toThrow();
    expect(() => createSecureContext({ pfx: pki.clientP12, passphrase: "wrong" })).toThrow();
  });

  it("issues a server certificate for 127.0.0.1 and localhost that verifies against the CA", () => {
    const ca = new X509Certificate(pki.caPem);
    const server = new X509Certificate(readFileSync(pki.files.serverCert));
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIssued(ca)).toBe(true);
    expect(new Date(server.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
  });

  it("passes a real mutual-TLS handshake: the server sees the client certificate CN = mchid, O = Tenpay.com", async () => {
    const server = createServer(
      {
        cert: readFileSync(pki.files.serverCert),
        key: readFileSync(pki.files.serverKey),
        ca: pki.caPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const subject = socket.getPeerCertificate().subject;
        res.end(`${socket.authorized}|${subject?.O}|${subject?.CN}`);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // The console's own APIv2 transport, with the p12 as it stores it.
      const answer = await postXml(`https://127.0.0.1:${port}/secapi/pay/refund`, "<xml/>", {
        pfx: pki.clientP12,
        passphrase: pki.p12Password,
        ca: pki.caPem,
        timeoutMs: 5000,
      });
      expect(answer.ok && answer.value.body.toString()).toBe(`true|Tenpay.com|${MCHID}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("keeps its files private (700 directory, 600 files)", () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of Object.values(pki.files)) expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("is made once and reused across starts", () => {
    const again = ensureDemoPki(dir, MCHID);
    expect(again.generated).toBe(false);
    expect(again.clientP12.equals(pki.clientP12)).toBe(true);
    expect(again.caPem).toBe(pki.caPem);
  });

  it("is made anew when a file is missing or unparseable, near expiry, or for another mchid", () => {
    const cases: [string, () => ReturnType<typeof ensureDemoPki>][] = [
      ["missing", () => (rmSync(join(dir, "server.key")), ensureDemoPki(dir, MCHID))],
      ["unparseable", () => (writeFileSync(join(dir, "apiclient_cert.p12"), "garbage"), ensureDemoPki(dir, MCHID))],
      ["expiring", () => ensureDemoPki(dir, MCHID, new Date(Date.now() + 820 * 86_400_000))],
      ["another mchid", () => ensureDemoPki(dir, "1900000111")],
    ];
    let previous: Buffer = readFileSync(join(dir, "apiclient_cert.p12"));
    for (const [name, run] of cases) {
      const made = run();
      expect(made.generated, name).toBe(true);
      expect(made.clientP12.equals(previous), name).toBe(false);
      previous = made.clientP12;
    }
  });
});
