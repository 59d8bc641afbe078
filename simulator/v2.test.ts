import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyRefundV2, queryRefundV2, type V2Credentials, type V2RefundRequest } from "../lib/wechatpay/v2/client";
import { makeTestPki, type TestPki } from "../lib/wechatpay/v2/fixtures/tls-gateway";
import { parseRefundNotification, successAnswer, failAnswer } from "../lib/wechatpay/v2/notification";
import { signV2, verifySign } from "../lib/wechatpay/v2/sign";
import { postXml } from "../lib/wechatpay/v2/transport";
import { buildXml, parseXml } from "../lib/wechatpay/v2/xml";
import {
  addMerchant,
  MCHID,
  startHarness,
  startReceiver,
  v3Client,
  type Harness,
  type Receiver,
} from "./test-support/harness";

const DAY = 86_400_000;
const ORDER = { outTradeNo: "T5001", transactionId: "4200000000202611230000000005", totalFen: 1000 };
const REFUND: V2RefundRequest = { outTradeNo: ORDER.outTradeNo, outRefundNo: "R1", totalFee: 1000, refundFee: 300 };

let pki: TestPki;
let otherPki: TestPki;
let h: Harness;
let tlsUrl: string;
let receiver: Receiver;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let creds: V2Credentials;
const options = { timeoutMs: 3000, ca: "" };

beforeAll(async () => {
  pki = makeTestPki(MCHID);
  otherPki = makeTestPki(MCHID);
  options.ca = pki.caPem;
  h = await startHarness({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caPem } });
  tlsUrl = (await h.simulator.listenTls(0)).url;
  receiver = await startReceiver(h.clock);
  merchant = await addMerchant(h, { notifyUrl: receiver.url });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
  pki.cleanup();
  otherPki.cleanup();
});
beforeEach(async () => {
  await h.control.reset(true);
  await h.control.patchMerchant(merchant.mchid, { balanceFen: 1_000_000, orderIntervalMs: null });
  await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - DAY }]);
  receiver.received.length = 0;
  receiver.answer = () => ({ status: 200, body: successAnswer() });
  creds = {
    mchid: merchant.mchid,
    appid: merchant.appid,
    apiKey: merchant.apiV2Key,
    signType: "MD5",
    p12: pki.clientP12,
    baseUrl: tlsUrl,
  };
});

/** A hand-signed APIv2 request over mutual TLS, for what the project's client will not send. */
async function rawV2(path: string, fields: Record<string, string>, sign: { key?: string; p12?: Buffer } = {}) {
  const all = { appid: merchant.appid, mch_id: merchant.mchid, nonce_str: "N0NCE", ...fields };
  const xml = buildXml({ ...all, sign: signV2(all, sign.key ?? merchant.apiV2Key, "MD5") });
  if (!xml.ok) throw new Error(xml.error.detail);
  const answer = await postXml(`${tlsUrl}${path}`, xml.value, {
    pfx: sign.p12 ?? pki.clientP12,
    passphrase: MCHID,
    ca: pki.caPem,
    timeoutMs: 3000,
  });
  if (!answer.ok) throw new Error(answer.error.detail);
  const parsed = parseXml(answer.value.body);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  return parsed.value;
}

const refusedWith = (code: string, errCode: string) => ({
  ok: false,
  error: { kind: "business", code, detail: expect.stringContaining(`err_code=${errCode} `) },
});

describe("APIv2 with the project's client over mutual TLS", () => {
  it.each(["MD5", "HMAC-SHA256"] as const)(
    "applies, queries PROCESSING, notifies (req_info decrypted by the lib) and queries SUCCESS (%s)",
    async (signType) => {
      creds.signType = signType;
      const accepted = await applyRefundV2(creds, { ...REFUND, notifyUrl: undefined }, options);
      expect(accepted).toMatchObject({
        ok: true,
        value: { out_refund_no: "R1", transaction_id: ORDER.transactionId, refund_fee: 300, total_fee: 1000 },
      });
      const refundId = accepted.ok ? accepted.value.refund_id : "";
      expect(await queryRefundV2(creds, { outRefundNo: "R1" }, options)).toMatchObject({
        ok: true,
        value: {
          refund_count: 1,
          total_fee: 1000,
          refund: {
            refund_id: refundId,
            refund_status: "PROCESSING",
            status: "PROCESSING",
            refund_channel: "ORIGINAL",
          },
        },
      });

      await h.clock.advance(3000);
      expect(receiver.received).toHaveLength(1);
      const note = parseRefundNotification(receiver.received[0]!.body, {
        mchid: merchant.mchid,
        apiKey: merchant.apiV2Key,
      });
      expect(note).toMatchObject({
        ok: true,
        value: {
          status: "SUCCESS",
          refund: {
            out_refund_no: "R1",
            refund_id: refundId,
            refund_status: "SUCCESS",
            refund_fee: 300,
            total_fee: 1000,
            refund_recv_accout: "支付用户零钱",
            refund_request_source: "API",
          },
        },
      });
      expect(note.ok && note.value.refund.success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(await h.control.deliveries()).toMatchObject([{ protocol: "v2", state: "delivered" }]);
      const settled = await queryRefundV2(creds, { outRefundNo: "R1" }, options);
      expect(settled).toMatchObject({
        ok: true,
        value: { refund: { status: "SUCCESS", refund_recv_accout: "支付用户零钱" } },
      });
      expect(settled.ok && settled.value.refund.refund_success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    },
  );

  it("shares refunds between protocols: a v2 refund is found by the APIv3 query", async () => {
    expect((await applyRefundV2(creds, REFUND, options)).ok).toBe(true);
    expect(await v3Client(h, merchant, "public_key").client.queryRefund("R1")).toMatchObject({
      ok: true,
      value: { status: "PROCESSING", amount: { refund: 300 } },
    });
  });

  it("announces REFUNDCLOSE and CHANGE, and retries until the merchant answers SUCCESS", async () => {
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 });
    await h.control.script({ outRefundNo: "R1", status: "CLOSED" });
    await h.control.script({ outRefundNo: "R2", status: "ABNORMAL" });
    receiver.answer = () => ({ status: 200, body: failAnswer("busy") });
    expect((await applyRefundV2(creds, REFUND, options)).ok).toBe(true);
    expect((await applyRefundV2(creds, { ...REFUND, outRefundNo: "R2", refundFee: 100 }, options)).ok).toBe(true);
    await h.clock.advance(3000);
    const statuses = receiver.received.map((r) =>
      parseRefundNotification(r.body, { mchid: merchant.mchid, apiKey: merchant.apiV2Key }),
    );
    expect(statuses.map((s) => s.ok && s.value.refund.refund_status)).toEqual(["REFUNDCLOSE", "CHANGE"]);
    receiver.answer = () => ({ status: 200, body: successAnswer() });
    await h.clock.advance(15_000);
    expect((await h.control.deliveries()).map((d) => [d.state, d.rounds])).toEqual([
      ["delivered", 2],
      ["delivered", 2],
    ]);
    expect(await queryRefundV2(creds, { outRefundNo: "R2" }, options)).toMatchObject({
      ok: true,
      value: { refund: { refund_status: "CHANGE", status: "ABNORMAL" } },
    });
  });

  it("sends req_info that does not decrypt when told to (wrong key or tampered ciphertext)", async () => {
    await h.control.notifySettings({ badSignature: true });
    receiver.answer = () => ({ status: 200, body: failAnswer("req_info does not decrypt") });
    expect((await applyRefundV2(creds, REFUND, options)).ok).toBe(true);
    await h.clock.advance(3000);
    await h.control.notifySettings({ badSignature: false, tamperCiphertext: true });
    await h.clock.advance(15_000);
    await h.control.notifySettings({ tamperCiphertext: false });
    for (const r of receiver.received) {
      expect(parseRefundNotification(r.body, { mchid: merchant.mchid, apiKey: merchant.apiV2Key })).toMatchObject({
        ok: false,
      });
    }
    expect(receiver.received).toHaveLength(2);
  });
});

describe("APIv2 rules and codes", () => {
  it("ORDERNOTEXIST for an unknown order, REFUNDNOTEXIST for an unknown refund", async () => {
    expect(await applyRefundV2(creds, { ...REFUND, outTradeNo: "NOPE" }, options)).toMatchObject(
      refusedWith("RESOURCE_NOT_EXISTS", "ORDERNOTEXIST"),
    );
    expect(await queryRefundV2(creds, { outRefundNo: "NOPE" }, options)).toMatchObject(
      refusedWith("RESOURCE_NOT_EXISTS", "REFUNDNOTEXIST"),
    );
  });

  it("TRADE_OVERDUE for an order paid more than a year ago", async () => {
    await h.control.addTransactions(merchant.mchid, [
      { outTradeNo: "OLD", totalFen: 1000, paidAt: h.clock.now() - 366 * DAY },
    ]);
    expect(await applyRefundV2(creds, { ...REFUND, outTradeNo: "OLD" }, options)).toMatchObject(
      refusedWith("INVALID_REQUEST", "TRADE_OVERDUE"),
    );
  });

  it("ERROR 申请退款金额超过订单可退金额 beyond the refundable amount, and ERROR beyond 50 refunds", async () => {
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 });
    expect((await applyRefundV2(creds, { ...REFUND, refundFee: 950 }, options)).ok).toBe(true);
    const over = await applyRefundV2(creds, { ...REFUND, outRefundNo: "R2", refundFee: 51 }, options);
    expect(over).toMatchObject(refusedWith("INVALID_REQUEST", "ERROR"));
    expect(!over.ok && over.error.detail).toContain("申请退款金额超过订单可退金额");
    for (let i = 2; i <= 50; i++) {
      expect((await applyRefundV2(creds, { ...REFUND, outRefundNo: `R${i}`, refundFee: 1 }, options)).ok).toBe(true);
    }
    expect(await applyRefundV2(creds, { ...REFUND, outRefundNo: "R51", refundFee: 1 }, options)).toMatchObject(
      refusedWith("INVALID_REQUEST", "ERROR"),
    );
  });

  it("INVALID_REQUEST when total_fee is not the order's total, REFUND_FEE_MISMATCH for a reused number", async () => {
    expect(await applyRefundV2(creds, { ...REFUND, totalFee: 999, refundFee: 1 }, options)).toMatchObject(
      refusedWith("INVALID_REQUEST", "INVALID_REQUEST"),
    );
    const first = await applyRefundV2(creds, REFUND, options);
    expect(await applyRefundV2(creds, REFUND, options)).toEqual(first); // same content: the same refund
    expect(await applyRefundV2(creds, { ...REFUND, refundFee: 301 }, options)).toMatchObject(
      refusedWith("INVALID_REQUEST", "REFUND_FEE_MISMATCH"),
    );
  });

  it("NOTENOUGH without creating the refund; the same number succeeds after a top-up", async () => {
    await h.control.patchMerchant(merchant.mchid, { balanceFen: 10 });
    expect(await applyRefundV2(creds, REFUND, options)).toMatchObject(refusedWith("NOT_ENOUGH", "NOTENOUGH"));
    expect(await h.control.refunds()).toHaveLength(0);
    await h.control.patchMerchant(merchant.mchid, { balanceFen: 1000 });
    expect((await applyRefundV2(creds, REFUND, options)).ok).toBe(true);
  });

  it("FREQUENCY_LIMITED within the order interval, INVALID_REQ_TOO_MUCH after 6 erroneous requests in a second", async () => {
    expect((await applyRefundV2(creds, { ...REFUND, refundFee: 1 }, options)).ok).toBe(true);
    expect(await applyRefundV2(creds, { ...REFUND, outRefundNo: "R2", refundFee: 1 }, options)).toMatchObject(
      refusedWith("FREQUENCY_LIMITED", "FREQUENCY_LIMITED"),
    );
    for (let i = 0; i < 5; i++) {
      expect((await applyRefundV2(creds, { ...REFUND, outRefundNo: `X${i}`, outTradeNo: "NOPE" }, options)).ok).toBe(
        false,
      );
    }
    expect(await applyRefundV2(creds, { ...REFUND, refundFee: 1 }, options)).toMatchObject(
      refusedWith("FREQUENCY_LIMITED", "INVALID_REQ_TOO_MUCH"),
    );
    await h.clock.advance(60_000);
    expect((await applyRefundV2(creds, { ...REFUND, outRefundNo: "R2", refundFee: 1 }, options)).ok).toBe(true);
  });

  it("an answer lost to accept-then-timeout: the query finds the refund, re-applying returns it, executed once", async () => {
    await h.control.addFault({ kind: "timeout_after_accept", path: "/secapi/pay/refund" });
    expect(await applyRefundV2(creds, REFUND, { ...options, timeoutMs: 300 })).toMatchObject({
      ok: false,
      error: { code: "TIMEOUT", advice: "unknown" },
    });
    const found = await queryRefundV2(creds, { outRefundNo: "R1" }, options);
    expect(found).toMatchObject({ ok: true, value: { refund: { status: "PROCESSING" } } });
    expect(await applyRefundV2(creds, REFUND, options)).toMatchObject({
      ok: true,
      value: { refund_id: found.ok ? found.value.refund.refund_id : "" },
    });
    expect(await h.control.refunds()).toHaveLength(1);
  });

  it("SYSTEMERROR when a system error is injected", async () => {
    await h.control.addFault({ kind: "system_error", path: "/secapi/pay/refund" });
    expect(await applyRefundV2(creds, REFUND, options)).toMatchObject({
      ok: false,
      error: { code: "SYSTEM_ERROR", advice: "retry" },
    });
    expect(await h.control.refunds()).toHaveLength(0);
  });

  it("SIGNERROR for a wrong request sign, answered with a sign of the real key", async () => {
    const answer = await rawV2(
      "/secapi/pay/refund",
      { out_trade_no: ORDER.outTradeNo, out_refund_no: "R1", total_fee: "1000", refund_fee: "1" },
      { key: "x".repeat(32) },
    );
    expect(answer).toMatchObject({ return_code: "SUCCESS", result_code: "FAIL", err_code: "SIGNERROR" });
    expect(verifySign(answer, merchant.apiV2Key, "MD5")).toBe(true);
  });

  it("PARAM_ERROR for refund_fee 0 or a missing order id", async () => {
    const requests: Record<string, string>[] = [
      { out_trade_no: ORDER.outTradeNo, out_refund_no: "R1", total_fee: "1000", refund_fee: "0" },
      { out_refund_no: "R1", total_fee: "1000", refund_fee: "1" },
    ];
    for (const fields of requests) {
      expect(await rawV2("/secapi/pay/refund", fields)).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
    }
  });

  it("refuses a refund without the merchant's client certificate, and an unknown mch_id or appid", async () => {
    expect(await applyRefundV2({ ...creds, p12: otherPki.clientP12 }, REFUND, options)).toMatchObject({
      ok: false,
      error: { code: "CLIENT_CERT_INVALID" },
    });
    expect(await applyRefundV2({ ...creds, mchid: "1900009999", p12Password: MCHID }, REFUND, options)).toMatchObject({
      ok: false,
      error: { code: "MCH_NOT_EXISTS" },
    });
    expect(await applyRefundV2({ ...creds, appid: "wx0000000000000000" }, REFUND, options)).toMatchObject(
      refusedWith("APPID_NOT_EXIST", "APPID_NOT_EXIST"),
    );
    const plain = await fetch(`${h.baseUrl}/secapi/pay/refund`, {
      method: "POST",
      body: "<xml><mch_id>1900000109</mch_id></xml>",
    });
    expect(await plain.text()).toContain("证书验证失败");
  });

  it("queries by out_trade_no with every refund of the order as refund_*_$n", async () => {
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 });
    expect((await applyRefundV2(creds, { ...REFUND, refundFee: 100 }, options)).ok).toBe(true);
    expect((await applyRefundV2(creds, { ...REFUND, outRefundNo: "R2", refundFee: 200 }, options)).ok).toBe(true);
    const answer = await rawV2("/pay/refundquery", { out_trade_no: ORDER.outTradeNo });
    expect(answer).toMatchObject({
      result_code: "SUCCESS",
      refund_count: "2",
      out_refund_no_0: "R1",
      refund_fee_0: "100",
      out_refund_no_1: "R2",
      refund_fee_1: "200",
      refund_status_1: "PROCESSING",
    });
    expect(verifySign(answer, merchant.apiV2Key, "MD5")).toBe(true);
  });
});
