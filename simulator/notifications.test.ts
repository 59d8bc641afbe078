import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRefundNotification } from "../lib/wechatpay/v3/notification";
import { RETRY_SCHEDULE_SECONDS } from "./notify/notifier";
import {
  addMerchant,
  startHarness,
  startReceiver,
  v3Client,
  type Harness,
  type Receiver,
} from "./test-support/harness";

const ORDER = { outTradeNo: "T4001", totalFen: 1000 };
const APPLY = {
  out_trade_no: ORDER.outTradeNo,
  out_refund_no: "R1",
  amount: { refund: 300, total: 1000, currency: "CNY" as const },
};
const TIME_SCALE = 1000;

let h: Harness;
let receiver: Receiver;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let v3: ReturnType<typeof v3Client>;

beforeAll(async () => {
  h = await startHarness({ timeScale: TIME_SCALE, settleMs: 100 });
  receiver = await startReceiver(h.clock);
  merchant = await addMerchant(h, { notifyUrl: receiver.url });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(async () => {
  await h.control.reset(true);
  await h.control.notifySettings({
    enabled: true,
    copies: 1,
    badSignature: false,
    tamperCiphertext: false,
    signatureProbes: false,
    followWith: null,
  });
  await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - 3600_000 }]);
  receiver.received.length = 0;
  receiver.answer = () => ({ status: 204 });
  v3 = v3Client(h, merchant, "public_key");
});

const open = (index: number) => {
  const note = receiver.received[index];
  if (!note) throw new Error(`no notification #${index}`);
  return parseRefundNotification({ headers: note.headers, rawBody: note.body }, v3.keys.resolve, merchant.apiV3Key, {
    now: () => h.clock.now(),
  });
};

async function refundAndSettle(extra: Record<string, unknown> = {}): Promise<void> {
  expect((await v3.client.applyRefund({ ...APPLY, ...extra })).ok).toBe(true);
  await h.clock.advance(100);
}

describe("notification delivery", () => {
  it("retries on WeChat's schedule divided by SIM_TIME_SCALE, then gives up after the last retry", async () => {
    receiver.answer = () => ({ status: 500, body: "busy" });
    await refundAndSettle();
    for (;;) {
      const next = h.clock.nextDueAt();
      if (next === undefined) break;
      await h.clock.advance(next - h.clock.now());
    }
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    expect(gaps).toEqual(RETRY_SCHEDULE_SECONDS.map((s) => (s * 1000) / TIME_SCALE));
    expect(RETRY_SCHEDULE_SECONDS).toEqual([
      15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
    ]);
    const [delivery] = await h.control.deliveries();
    expect(delivery).toMatchObject({ state: "failed", rounds: 16 });
    expect(delivery?.attempts).toHaveLength(16);
    expect(delivery?.attempts[0]).toMatchObject({ httpStatus: 500, answer: "busy", accepted: false });
  });

  it("stops at the first 200 or 204; any other answer, 202 included, is a failure", async () => {
    const answers = [500, 202, 200];
    receiver.answer = () => ({ status: answers.shift() ?? 500 });
    await refundAndSettle();
    await h.clock.advance(15);
    await h.clock.advance(15);
    await h.clock.advance(100_000);
    expect(receiver.received).toHaveLength(3);
    const ids = receiver.received.map((r) => JSON.parse(r.body).id);
    expect(new Set(ids).size).toBe(1); // the same notification id on every retry
    const [delivery] = await h.control.deliveries();
    expect(delivery).toMatchObject({ state: "delivered", rounds: 3 });
  });

  it("sends each notification N times when duplicates are asked for", async () => {
    await h.control.notifySettings({ copies: 3 });
    await refundAndSettle();
    expect(receiver.received).toHaveLength(3);
    for (let i = 0; i < 3; i++)
      expect(await open(i)).toMatchObject({ ok: true, value: { eventType: "REFUND.SUCCESS" } });
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id)).size).toBe(1);
  });

  it("sends an out-of-order notification (CLOSED after SUCCESS) without changing the refund", async () => {
    await h.control.notifySettings({ followWith: "CLOSED" });
    await refundAndSettle();
    expect(receiver.received).toHaveLength(2);
    expect(await open(0)).toMatchObject({ ok: true, value: { eventType: "REFUND.SUCCESS" } });
    expect(await open(1)).toMatchObject({
      ok: true,
      value: { eventType: "REFUND.CLOSED", resource: { refund_status: "CLOSED", out_refund_no: "R1" } },
    });
    expect(await v3.client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "SUCCESS" } });
    expect((await h.control.deliveries()).map((d) => d.spurious)).toEqual([false, true]);
  });

  it("sends WeChat's signature probe before the first round; the lib refuses it, and accepting it would not count", async () => {
    await h.control.notifySettings({ signatureProbes: true });
    // A merchant that (wrongly) accepts everything: the probe's acceptance must not mark the notification delivered.
    receiver.answer = (received) => ({
      status: String(received.headers["wechatpay-signature"]).startsWith("WECHATPAY/SIGNTEST/") ? 204 : 500,
    });
    await refundAndSettle();
    expect(String(receiver.received[0]?.headers["wechatpay-signature"])).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(await open(0)).toMatchObject({ ok: false, error: { code: "SIGNATURE_PROBE" } });
    expect(await open(1)).toMatchObject({ ok: true, value: { eventType: "REFUND.SUCCESS" } });
    const [delivery] = await h.control.deliveries();
    expect(delivery).toMatchObject({ state: "pending", rounds: 1 });
    expect(delivery?.attempts.map((a) => a.probe ?? false)).toEqual([true, false]);
  });

  it("sends notifications with a bad signature; the lib refuses them, and retries succeed once the fault is off", async () => {
    await h.control.notifySettings({ badSignature: true });
    receiver.answer = () => ({ status: 401, body: '{"code":"FAIL","message":"签名错误"}' });
    await refundAndSettle();
    expect(await open(0)).toMatchObject({ ok: false, error: { code: "SIGNATURE_INVALID" } });

    await h.control.notifySettings({ badSignature: false });
    receiver.answer = () => ({ status: 204 });
    await h.clock.advance(15);
    expect(await open(1)).toMatchObject({ ok: true, value: { eventType: "REFUND.SUCCESS" } });
    expect((await h.control.deliveries())[0]).toMatchObject({ state: "delivered", rounds: 2 });
  });

  it("sends notifications with a tampered ciphertext: the signature verifies, decryption fails", async () => {
    await h.control.notifySettings({ tamperCiphertext: true });
    await refundAndSettle();
    expect(await open(0)).toMatchObject({ ok: false, error: { code: "DECRYPTION_FAILED" } });
  });

  it("sends nothing when notifications are switched off; the refund still settles and the log says suppressed", async () => {
    await h.control.notifySettings({ enabled: false });
    await refundAndSettle();
    expect(receiver.received).toHaveLength(0);
    expect(await v3.client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "SUCCESS" } });
    expect(await h.control.deliveries()).toMatchObject([{ state: "suppressed", attempts: [] }]);
  });

  it("uses the refund's notify_url over the merchant's, and suppresses when there is neither", async () => {
    const other = await startReceiver(h.clock);
    try {
      await refundAndSettle({ notify_url: other.url });
      expect(other.received).toHaveLength(1);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await other.close();
    }
    await h.control.patchMerchant(merchant.mchid, { notifyUrl: null });
    await h.clock.advance(60_000);
    await refundAndSettle({ out_refund_no: "R2", amount: { refund: 1, total: 1000, currency: "CNY" } });
    expect((await h.control.deliveries({ outRefundNo: "R2" }))[0]).toMatchObject({ state: "suppressed", url: "" });
    await h.control.patchMerchant(merchant.mchid, { notifyUrl: receiver.url });
  });
});
