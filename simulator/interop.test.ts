import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Aes, Formatter, Rsa, Wechatpay } from "wechatpay-axios-plugin";
import { addMerchant, startHarness, startReceiver, type Harness, type Receiver } from "./test-support/harness";

const ORDER = { outTradeNo: "INTEROP001", totalFen: 2_500 };

/**
 * The simulator driven by an implementation that is not ours: wechatpay-axios-plugin signs the requests, verifies the
 * answers with the WeChat Pay public key, and verifies and decrypts the refund callback. If our simulator drifted
 * from WeChat's wire format together with our client, this peer would notice.
 */
describe("wechatpay-axios-plugin against the simulator", () => {
  let h: Harness;
  let receiver: Receiver;
  let merchant: Awaited<ReturnType<typeof addMerchant>>;
  let wxpay: Wechatpay;
  // The peer's chain is typed as possibly absent at every step; these paths exist.
  const refunds = () => wxpay.v3!.refund!.domestic!.refunds!;

  beforeAll(async () => {
    h = await startHarness({ timeScale: 1000, settleMs: 100 });
    receiver = await startReceiver(h.clock);
    merchant = await addMerchant(h, { notifyUrl: receiver.url });
    await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - 3600_000 }]);
    wxpay = new Wechatpay({
      mchid: merchant.mchid,
      serial: merchant.merchantSerialNo,
      privateKey: merchant.merchantPrivateKey,
      certs: { [merchant.publicKeyId]: merchant.platformPublicKey },
      baseURL: h.baseUrl,
    });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it("applies and queries a refund, every answer verified by the peer", async () => {
    const { data: applied, status } = await refunds().post({
      out_trade_no: ORDER.outTradeNo,
      out_refund_no: "INTEROPR1",
      reason: "对端 SDK 退款",
      amount: { refund: 1_000, total: ORDER.totalFen, currency: "CNY" },
    });
    expect(status).toBe(200);
    expect(applied).toMatchObject({
      out_refund_no: "INTEROPR1",
      out_trade_no: ORDER.outTradeNo,
      status: "PROCESSING",
      amount: { refund: 1_000, total: ORDER.totalFen },
    });

    const { data: queried } = await refunds()._out_refund_no_!.get({ out_refund_no: "INTEROPR1" });
    expect(queried).toMatchObject({
      out_refund_no: "INTEROPR1",
      refund_id: (applied as unknown as { refund_id: string }).refund_id,
    });
  });

  it("answers an unknown refund with 404 RESOURCE_NOT_EXISTS that the peer reads without a signature", async () => {
    const failure = await refunds()
      ._out_refund_no_!.get({ out_refund_no: "NOSUCHREFUND" })
      .catch((e: { response: { status: number; data: unknown } }) => e.response);
    expect(failure).toMatchObject({ status: 404, data: { code: "RESOURCE_NOT_EXISTS" } });
  });

  it("sends a refund callback the peer verifies with the public key and decrypts with the APIv3 key", async () => {
    await h.clock.advance(100);
    const callback = receiver.received.find((r) => r.body.includes("REFUND.SUCCESS"));
    expect(callback).toBeDefined();
    const headers = callback!.headers as Record<string, string>;
    expect(headers["wechatpay-serial"]).toBe(merchant.publicKeyId);
    const message = Formatter.joinedByLineFeed(
      headers["wechatpay-timestamp"]!,
      headers["wechatpay-nonce"]!,
      callback!.body,
    );
    expect(
      Rsa.verify(message, headers["wechatpay-signature"]!, Rsa.from(merchant.platformPublicKey, Rsa.KEY_TYPE_PUBLIC)),
    ).toBe(true);

    const { resource } = JSON.parse(callback!.body) as {
      resource: { ciphertext: string; nonce: string; associated_data: string };
    };
    const plain = JSON.parse(
      Aes.AesGcm.decrypt(resource.ciphertext, merchant.apiV3Key, resource.nonce, resource.associated_data),
    ) as Record<string, unknown>;
    expect(plain).toMatchObject({
      mchid: merchant.mchid,
      out_refund_no: "INTEROPR1",
      refund_status: "SUCCESS",
      amount: { refund: 1_000, total: ORDER.totalFen },
    });
  });
});
