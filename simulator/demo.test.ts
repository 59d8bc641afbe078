import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMerchantCredentialsFromEnv, requireV3Credentials } from "../lib/wechatpay/config";
import { demoOrders } from "../lib/setup/demo-seed";
import { createV3Client } from "../lib/wechatpay/v3/client";
import { ensureDemoGateway } from "./demo";

const dataDir = mkdtempSync(join(tmpdir(), "wxpay-sim-demo-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function clientFrom(env: Record<string, string>) {
  const loaded = loadMerchantCredentialsFromEnv(env);
  if (!loaded.ok || !loaded.value) throw new Error(loaded.ok ? "not configured" : loaded.error.detail);
  const v3 = requireV3Credentials(loaded.value);
  if (!v3.ok) throw new Error(v3.error.detail);
  return createV3Client(v3.value).client;
}

describe("ensureDemoGateway", () => {
  it("starts the simulator as a child process with the demo merchant and orders, and keeps both across restarts", async () => {
    const orders = demoOrders(new Date(), 5);
    const [order, other] = orders;
    if (!order || !other) throw new Error("no demo order");
    const refundedAt = new Date(Date.now() - 3_600_000);
    const history = {
      orders,
      // The console's history: queries and bills must agree with it.
      refunds: [
        {
          outRefundNo: "RDEMO-IMPORTED",
          outTradeNo: order.outTradeNo,
          refundId: "50300000000000000000000000001",
          refundFen: 2,
          status: "SUCCESS" as const,
          createTime: refundedAt,
          successTime: refundedAt,
        },
      ],
      handMadeRefund: { outTradeNo: other.outTradeNo, refundFen: 1, at: refundedAt },
    };
    const first = await ensureDemoGateway({ dataDir, port: 0, appUrl: "http://localhost:3000", ...history });
    let env: Record<string, string>;
    try {
      env = first.env;
      expect(Object.keys(env).sort()).toEqual([
        "WECHATPAY_APIV2_KEY",
        "WECHATPAY_APIV3_KEY",
        "WECHATPAY_APPID",
        "WECHATPAY_BASE_URL",
        "WECHATPAY_MCHID",
        "WECHATPAY_MERCHANT_PRIVATE_KEY",
        "WECHATPAY_MERCHANT_SERIAL_NO",
        "WECHATPAY_PUBLIC_KEY",
        "WECHATPAY_PUBLIC_KEY_ID",
      ]);
      expect(env).toMatchObject({
        WECHATPAY_MCHID: "1900000109",
        WECHATPAY_APPID: "wx8888888888888888",
        WECHATPAY_BASE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      // Without a TLS port: plain HTTP on the control API's origin, and no APIv2 demo merchant (demo-tls.test.ts).
      expect(first.controlUrl).toBe(env.WECHATPAY_BASE_URL);
      expect(first.apiV2).toBeUndefined();
      // The simulator writes its state shortly after a change, not before answering.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const name of ["merchant_private_key.pem", "merchant.json", "state.json"]) {
        expect(statSync(join(dataDir, "simulator", name)).mode & 0o777).toBe(0o600);
      }

      const applied = await clientFrom(env).applyRefund({
        out_trade_no: order.outTradeNo,
        out_refund_no: "RDEMO-TEST-1",
        amount: { refund: 1, total: order.totalFen, currency: "CNY" },
      });
      expect(applied).toMatchObject({ ok: true, value: { status: "PROCESSING", transaction_id: order.transactionId } });
      expect(await clientFrom(env).queryRefund("RDEMO-IMPORTED")).toMatchObject({
        ok: true,
        value: { status: "SUCCESS", amount: { refund: 2 } },
      });
    } finally {
      await first.stop();
    }
    await first.stop(); // stopping twice is harmless

    const second = await ensureDemoGateway({ dataDir, port: 0, appUrl: "http://localhost:3000", ...history });
    try {
      for (const name of [
        "WECHATPAY_MERCHANT_SERIAL_NO",
        "WECHATPAY_APIV3_KEY",
        "WECHATPAY_APIV2_KEY",
        "WECHATPAY_PUBLIC_KEY_ID",
      ]) {
        expect(second.env[name]).toBe(env[name]);
      }
      expect(await clientFrom(second.env).queryRefund("RDEMO-TEST-1")).toMatchObject({
        ok: true,
        value: { out_refund_no: "RDEMO-TEST-1" },
      });
    } finally {
      await second.stop();
    }
    const state = JSON.parse(readFileSync(join(dataDir, "simulator", "state.json"), "utf8")) as {
      transactions: object;
      refunds: Record<string, { origin?: string; outRefundNo: string }>;
      merchants: Record<string, { notifyUrl: string }>;
    };
    expect(Object.keys(state.transactions)).toHaveLength(5); // registered again, not twice
    expect(
      Object.values(state.refunds)
        .map((r) => r.origin ?? "api")
        .sort(),
    ).toEqual(["api", "import", "merchant_platform"]);
    expect(state.merchants["1900000109"]?.notifyUrl).toBe("http://localhost:3000/api/notify/refund");

    // The console has since read the hand-made refund from yesterday's bill: it is in the history, on its order, and
    // the oldest order nobody refunded is now another one. The console starts again the same day.
    const handMade = Object.values(state.refunds).find((r) => r.origin === "merchant_platform")!.outRefundNo;
    const third = await ensureDemoGateway({
      dataDir,
      port: 0,
      appUrl: "http://localhost:3000",
      ...history,
      refunds: [
        ...history.refunds,
        {
          outRefundNo: handMade,
          outTradeNo: other.outTradeNo,
          refundId: handMade,
          refundFen: 1,
          status: "SUCCESS" as const,
          createTime: refundedAt,
          successTime: refundedAt,
        },
      ],
      handMadeRefund: { outTradeNo: orders[2]!.outTradeNo, refundFen: 1, at: refundedAt },
    });
    try {
      expect(await clientFrom(third.env).queryRefund(handMade)).toMatchObject({
        ok: true,
        value: { out_refund_no: handMade, out_trade_no: other.outTradeNo, amount: { refund: 1 } },
      });
    } finally {
      await third.stop();
    }
  });
});
