import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoOrders } from "../lib/setup/demo-seed";
import { DEMO_V2_MERCHANT, demoV2Orders } from "../lib/setup/demo-seed-v2";
import { parseRefundNotification, successAnswer } from "../lib/wechatpay/v2/notification";
import { ensureDemoGateway, type DemoGateway } from "./demo";
import { refundAsConsole } from "./test-support/console-process";

const dataDir = mkdtempSync(join(tmpdir(), "wxpay-sim-demo-tls-"));
const received: string[] = [];
let receiver: Server;
let gateway: DemoGateway;
const v3Order = demoOrders(new Date(), 3)[0]!;
const v2Order = demoV2Orders()[0]!;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "Content-Type": "text/xml" }).end(successAnswer());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  // Settled quickly, so the callback comes within the test.
  process.env.SIM_SETTLE_MS = "200";
  gateway = await ensureDemoGateway({
    dataDir,
    port: 0,
    tlsPort: 0,
    appUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    orders: [v3Order],
    apiV2: { orders: [v2Order] },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ensureDemoGateway in TLS mode", () => {
  it("points the console at the simulator's HTTPS origin and has it trust the demo CA", () => {
    expect(gateway.env.WECHATPAY_BASE_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The demo CA, after the CAs of NODE_EXTRA_CA_CERTS when this machine sets some.
    const caPem = readFileSync(join(dataDir, "simulator", "tls", "ca.pem"), "utf8");
    expect(readFileSync(gateway.env.NODE_EXTRA_CA_CERTS!, "utf8").endsWith(caPem)).toBe(true);
    expect(gateway.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway.apiV2).toMatchObject({
      mchid: DEMO_V2_MERCHANT.mchid,
      appid: DEMO_V2_MERCHANT.appid,
      p12Password: DEMO_V2_MERCHANT.mchid,
    });
    expect(gateway.apiV2?.p12.equals(readFileSync(join(dataDir, "simulator", "tls", "apiclient_cert.p12")))).toBe(true);
  });

  it("serves APIv3 over HTTPS to a process that trusts the demo CA, and to none that does not", async () => {
    const submission = {
      outRefundNo: "RDEMO-TLS-V3",
      transactionId: v3Order.transactionId,
      outTradeNo: v3Order.outTradeNo,
      amountFen: 1,
      totalFen: v3Order.totalFen,
      reason: "",
    };
    const trusted = await refundAsConsole(gateway.env, { submission });
    expect(trusted.applied).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
    expect(trusted.queried).toMatchObject({ ok: true });

    const { NODE_EXTRA_CA_CERTS: _ca, ...untrusting } = gateway.env;
    const refused = await refundAsConsole(untrusting, { submission: { ...submission, outRefundNo: "RDEMO-TLS-V3B" } });
    expect(refused.applied).toMatchObject({ ok: false, error: { code: "CONNECTION_FAILED" } });
  });

  it("takes an APIv2 refund over mutual TLS with the generated p12, and calls back with req_info", async () => {
    const v2 = gateway.apiV2!;
    const credentials = {
      mchid: v2.mchid,
      appid: v2.appid,
      secrets: { apiV2Key: v2.apiV2Key, p12Base64: v2.p12.toString("base64"), p12Password: v2.p12Password },
    };
    const submission = {
      outRefundNo: "RDEMO-TLS-V2",
      transactionId: v2Order.transactionId,
      outTradeNo: v2Order.outTradeNo,
      amountFen: 100,
      totalFen: v2Order.totalFen,
      reason: "Customer request 顾客申请退款",
    };
    const result = await refundAsConsole(gateway.env, { v2: credentials, submission });
    expect(result.applied).toMatchObject({ ok: true, value: { status: "PROCESSING" } });

    // Without the client certificate, WeChat's refusal: the certificate is what lets the refund through.
    const { p12Base64: _p12, ...noCertificate } = credentials.secrets;
    const refused = await refundAsConsole(gateway.env, {
      v2: { ...credentials, secrets: noCertificate },
      submission: { ...submission, outRefundNo: "RDEMO-TLS-V2B" },
    });
    expect(refused.applied).toMatchObject({ ok: false });

    await expect
      .poll(() =>
        received
          .map((body) => parseRefundNotification(body, { mchid: v2.mchid, apiKey: v2.apiV2Key }))
          .find((n) => n.ok && n.value.refund.out_refund_no === "RDEMO-TLS-V2"),
      )
      .toMatchObject({ ok: true, value: { status: "SUCCESS", refund: { refund_status: "SUCCESS", refund_fee: 100 } } });
  });
});
