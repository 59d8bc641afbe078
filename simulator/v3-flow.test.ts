import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decryptCertificates } from "../lib/wechatpay/v3/certificates";
import { parseRefundNotification } from "../lib/wechatpay/v3/notification";
import { headerValue } from "../lib/wechatpay/v3/verify";
import { DEFAULT_BALANCE_FEN } from "./domain/merchants";
import type { SigningMode } from "./state/schema";
import {
  addMerchant,
  startHarness,
  startReceiver,
  v3Client,
  type Harness,
  type Receiver,
} from "./test-support/harness";

const ORDER = { outTradeNo: "T1001", transactionId: "4200000000202611230000000001", totalFen: 1000 };
const APPLY = {
  out_trade_no: ORDER.outTradeNo,
  out_refund_no: "R1",
  amount: { refund: 300, total: 1000, currency: "CNY" as const },
};

describe.each<SigningMode>(["public_key", "certificate"])("APIv3 with the project's client, %s mode", (mode) => {
  let h: Harness;
  let receiver: Receiver;
  let merchant: Awaited<ReturnType<typeof addMerchant>>;

  beforeAll(async () => {
    h = await startHarness();
    receiver = await startReceiver(h.clock);
    merchant = await addMerchant(h, { signingMode: mode, notifyUrl: receiver.url });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await h.control.reset(true);
    await h.control.patchMerchant(merchant.mchid, { balanceFen: DEFAULT_BALANCE_FEN });
    await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - 86_400_000 }]);
    receiver.received.length = 0;
  });

  const open = (index: number, keys: ReturnType<typeof v3Client>["keys"]) => {
    const note = receiver.received[index];
    if (!note) throw new Error(`no notification #${index}`);
    return parseRefundNotification({ headers: note.headers, rawBody: note.body }, keys.resolve, merchant.apiV3Key, {
      now: () => h.clock.now(),
    });
  };

  it("applies (PROCESSING), settles after SIM_SETTLE_MS, notifies (verified and decrypted by the lib) and answers SUCCESS", async () => {
    const { client, keys } = v3Client(h, merchant, mode);
    const applied = await client.applyRefund({ ...APPLY, reason: "商品已售完" });
    if (!applied.ok) throw new Error(applied.error.detail);
    expect(applied.value).toMatchObject({
      out_refund_no: "R1",
      transaction_id: ORDER.transactionId,
      out_trade_no: ORDER.outTradeNo,
      status: "PROCESSING",
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      funds_account: "UNSETTLED",
      amount: { total: 1000, refund: 300, payer_total: 1000, payer_refund: 300, currency: "CNY" },
    });
    expect(applied.value.refund_id).toMatch(/^\d{29}$/);
    expect(applied.value.success_time).toBeUndefined();
    expect(await client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "PROCESSING" } });

    await h.clock.advance(2999);
    expect(receiver.received).toHaveLength(0);
    await h.clock.advance(1);
    expect(receiver.received).toHaveLength(1);

    const note = await open(0, keys);
    expect(note).toMatchObject({
      ok: true,
      value: {
        eventType: "REFUND.SUCCESS",
        summary: "退款成功",
        resource: {
          mchid: merchant.mchid,
          out_refund_no: "R1",
          refund_id: applied.value.refund_id,
          refund_status: "SUCCESS",
          user_received_account: "支付用户零钱",
          amount: { total: 1000, refund: 300, payer_total: 1000, payer_refund: 300 },
        },
      },
    });
    const envelope = JSON.parse(receiver.received[0]!.body);
    expect(envelope).toMatchObject({
      resource_type: "encrypt-resource",
      resource: { original_type: "refund", algorithm: "AEAD_AES_256_GCM", associated_data: "refund" },
    });
    expect(receiver.received[0]!.headers["wechatpay-serial"]).toBe(
      mode === "public_key" ? merchant.publicKeyId : merchant.platformCertificateSerial,
    );

    const settled = await client.queryRefund("R1");
    expect(settled).toMatchObject({ ok: true, value: { status: "SUCCESS", refund_id: applied.value.refund_id } });
    expect(settled.ok && settled.value.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);

    const [delivery] = await h.control.deliveries({ outRefundNo: "R1" });
    expect(delivery).toMatchObject({
      state: "delivered",
      status: "SUCCESS",
      attempts: [{ httpStatus: 204, accepted: true }],
    });
    const [view] = (await (await fetch(`${h.baseUrl}/_sim/merchants`)).json()) as { balanceFen: number }[];
    expect(view?.balanceFen).toBe(DEFAULT_BALANCE_FEN - 300);
  });

  it("serves the platform certificate encrypted under the APIv3 key (downloadCertificates)", async () => {
    const { client } = v3Client(h, merchant, mode);
    const downloaded = await client.downloadCertificates();
    if (!downloaded.ok) throw new Error(downloaded.error.detail);
    const certificates = decryptCertificates(downloaded.value.body, merchant.apiV3Key);
    expect(certificates.ok && certificates.value.map((c) => c.serialNo)).toEqual([merchant.platformCertificateSerial]);
    expect(headerValue(downloaded.value.headers, "Wechatpay-Serial")).toBe(merchant.platformCertificateSerial);
  });

  it("ABNORMAL, then apply-abnormal-refund with encrypted bank details: PROCESSING on OTHER_BANKCARD, then SUCCESS", async () => {
    const { client, keys } = v3Client(h, merchant, mode);
    await h.control.script({ outRefundNo: "R1", status: "ABNORMAL", delayMs: 10 });
    const applied = await client.applyRefund(APPLY);
    if (!applied.ok) throw new Error(applied.error.detail);
    await h.clock.advance(10);
    expect(await open(0, keys)).toMatchObject({
      ok: true,
      value: { eventType: "REFUND.ABNORMAL", summary: "退款异常", resource: { refund_status: "ABNORMAL" } },
    });
    expect(await client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "ABNORMAL" } });

    const redirected = await client.applyAbnormalRefund(applied.value.refund_id, {
      out_refund_no: "R1",
      type: "USER_BANK_CARD",
      bank_type: "ICBC_DEBIT",
      bank_account: "6214830901234567",
      real_name: "张三",
    });
    expect(redirected).toMatchObject({
      ok: true,
      value: { status: "PROCESSING", channel: "OTHER_BANKCARD", user_received_account: "用户银行卡4567" },
    });

    await h.clock.advance(3000);
    expect(await open(1, keys)).toMatchObject({
      ok: true,
      value: {
        eventType: "REFUND.SUCCESS",
        resource: { refund_status: "SUCCESS", user_received_account: "用户银行卡4567" },
      },
    });
    expect(await client.queryRefund("R1")).toMatchObject({
      ok: true,
      value: { status: "SUCCESS", channel: "OTHER_BANKCARD" },
    });
  });

  it("a scripted CLOSED refund notifies REFUND.CLOSED and gives the money back to the balance", async () => {
    const { client, keys } = v3Client(h, merchant, mode);
    await h.control.script({ status: "CLOSED" }); // the next refund, whatever its number
    expect((await client.applyRefund(APPLY)).ok).toBe(true);
    await h.clock.advance(3000);
    expect(await open(0, keys)).toMatchObject({
      ok: true,
      value: { eventType: "REFUND.CLOSED", summary: "退款关闭", resource: { refund_status: "CLOSED" } },
    });
    const [view] = (await (await fetch(`${h.baseUrl}/_sim/merchants`)).json()) as { balanceFen: number }[];
    expect(view?.balanceFen).toBe(DEFAULT_BALANCE_FEN);
  });
});
