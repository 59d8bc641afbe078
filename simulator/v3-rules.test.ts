import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateRsaKeyPair } from "./keys";
import { verifySignature } from "../lib/wechatpay/v3/verify";
import { createPublicKey } from "node:crypto";
import { createV3Client } from "../lib/wechatpay/v3/client";
import { addMerchant, rawV3, startHarness, v3Client, v3Credentials, type Harness } from "./test-support/harness";

const DAY = 86_400_000;
const ORDER = { outTradeNo: "T2001", transactionId: "4200000000202611230000000002", totalFen: 1000 };
const apply = (outRefundNo: string, refund: number, extra: Record<string, unknown> = {}) => ({
  out_trade_no: ORDER.outTradeNo,
  out_refund_no: outRefundNo,
  amount: { refund, total: ORDER.totalFen, currency: "CNY" as const },
  ...extra,
});

let h: Harness;
let merchant: Awaited<ReturnType<typeof addMerchant>>;
let client: ReturnType<typeof v3Client>["client"];

beforeAll(async () => {
  h = await startHarness();
  merchant = await addMerchant(h);
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.control.reset(true);
  await h.control.patchMerchant(merchant.mchid, { balanceFen: 1_000_000, orderIntervalMs: null });
  await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - DAY }]);
  ({ client } = v3Client(h, merchant, "public_key"));
});

/** The project's client verified the error answer (kind business), so WeChat's code is trustworthy. */
const refused = (code: string, httpStatus: number) => ({ ok: false, error: { kind: "business", code, httpStatus } });
const balance = async () =>
  ((await (await fetch(`${h.baseUrl}/_sim/merchants/${merchant.mchid}`)).json()) as { balanceFen: number }).balanceFen;

describe("APIv3 refund rules", () => {
  it("finds the transaction by out_trade_no or transaction_id; an unknown one is 404 RESOURCE_NOT_EXISTS", async () => {
    expect(await client.applyRefund(apply("R1", 100))).toMatchObject({
      ok: true,
      value: { transaction_id: ORDER.transactionId },
    });
    await h.clock.advance(60_000);
    const byId = {
      transaction_id: ORDER.transactionId,
      out_refund_no: "R2",
      amount: { refund: 100, total: 1000, currency: "CNY" as const },
    };
    expect(await client.applyRefund(byId)).toMatchObject({ ok: true, value: { out_trade_no: ORDER.outTradeNo } });
    expect(await client.applyRefund({ ...apply("R3", 100), out_trade_no: "NOPE" })).toMatchObject(
      refused("RESOURCE_NOT_EXISTS", 404),
    );
  });

  it("refuses orders paid more than a year ago with 400 INVALID_REQUEST", async () => {
    await h.control.addTransactions(merchant.mchid, [
      { outTradeNo: "OLD", totalFen: 100, paidAt: h.clock.now() - 365 * DAY - 1 },
      { outTradeNo: "ALMOST", totalFen: 100, paidAt: h.clock.now() - 364 * DAY },
    ]);
    const old = await client.applyRefund({
      out_trade_no: "OLD",
      out_refund_no: "R1",
      amount: { refund: 1, total: 100, currency: "CNY" },
    });
    expect(old).toMatchObject(refused("INVALID_REQUEST", 400));
    expect(!old.ok && old.error.detail).toContain("超过退款期限");
    expect(
      (
        await client.applyRefund({
          out_trade_no: "ALMOST",
          out_refund_no: "R2",
          amount: { refund: 1, total: 100, currency: "CNY" },
        })
      ).ok,
    ).toBe(true);
  });

  it("allows at most 50 refunds per order (400 INVALID_REQUEST on the 51st)", async () => {
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 });
    for (let i = 1; i <= 50; i++) {
      expect((await client.applyRefund(apply(`R${i}`, 1))).ok).toBe(true);
    }
    const over = await client.applyRefund(apply("R51", 1));
    expect(over).toMatchObject(refused("INVALID_REQUEST", 400));
    expect(!over.ok && over.error.detail).toContain("50");
  });

  it("keeps the sum of refunds (CLOSED ones excepted) within the total", async () => {
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 });
    await h.control.script({ outRefundNo: "R1", status: "CLOSED", delayMs: 100 });
    expect((await client.applyRefund(apply("R1", 600))).ok).toBe(true);
    const over = await client.applyRefund(apply("R2", 500));
    expect(over).toMatchObject(refused("INVALID_REQUEST", 400));
    expect(!over.ok && over.error.detail).toContain("申请退款金额超过订单可退金额");
    await h.clock.advance(100); // R1 closes: its 600 fen are refundable again
    expect((await client.applyRefund(apply("R2", 500))).ok).toBe(true);
    expect((await client.applyRefund(apply("R3", 500))).ok).toBe(true);
    expect(await client.applyRefund(apply("R4", 1))).toMatchObject(refused("INVALID_REQUEST", 400));
  });

  it("requires amount.total to be the transaction's total (400 INVALID_REQUEST)", async () => {
    const wrong = await client.applyRefund({
      ...apply("R1", 100),
      amount: { refund: 100, total: 999, currency: "CNY" },
    });
    expect(wrong).toMatchObject(refused("INVALID_REQUEST", 400));
  });

  it("answers 400 PARAM_ERROR for amount.refund below 1, a missing order id, and a body that is not JSON", async () => {
    for (const body of [
      apply("R1", 0),
      { out_refund_no: "R1", amount: { refund: 1, total: 1000, currency: "CNY" } },
      "{not json",
    ]) {
      const answer = await rawV3(h, merchant, { method: "POST", path: "/v3/refund/domestic/refunds", body });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "PARAM_ERROR" });
      await h.clock.advance(1000); // stay under the erroneous-request limit
    }
  });

  it("answers a repeated out_refund_no with the same content with the same refund, executed once", async () => {
    const first = await client.applyRefund(apply("R1", 300));
    const again = await client.applyRefund(apply("R1", 300));
    expect(again).toEqual(first);
    expect(await h.control.refunds()).toHaveLength(1);
    expect(await balance()).toBe(1_000_000 - 300);
    await h.clock.advance(3000);
    expect(await client.applyRefund(apply("R1", 300))).toMatchObject({ ok: true, value: { status: "SUCCESS" } });
  });

  it("refuses a repeated out_refund_no with different content (400 INVALID_REQUEST)", async () => {
    expect((await client.applyRefund(apply("R1", 300))).ok).toBe(true);
    expect(await client.applyRefund(apply("R1", 301))).toMatchObject(refused("INVALID_REQUEST", 400));
  });

  it("answers 403 NOT_ENOUGH without creating the refund; the same number succeeds after a top-up", async () => {
    await h.control.patchMerchant(merchant.mchid, { balanceFen: 100 });
    expect(await client.applyRefund(apply("R1", 300))).toMatchObject(refused("NOT_ENOUGH", 403));
    expect(await h.control.refunds()).toHaveLength(0);
    expect(await balance()).toBe(100);
    await h.control.patchMerchant(merchant.mchid, { balanceFen: 1000 });
    expect(await client.applyRefund(apply("R1", 300))).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
    expect(await balance()).toBe(700);
  });

  it("limits a merchant to 150 refund requests per second (429 FREQUENCY_LIMITED)", async () => {
    for (let i = 0; i < 150; i++) {
      expect((await client.applyRefund(apply("R1", 1))).ok).toBe(true);
    }
    expect(await client.applyRefund(apply("R1", 1))).toMatchObject(refused("FREQUENCY_LIMITED", 429));
    await h.clock.advance(1000);
    expect((await client.applyRefund(apply("R1", 1))).ok).toBe(true);
  });

  it("limits erroneous requests to 6 per second (429 FREQUENCY_LIMITED, even for a good request)", async () => {
    for (let i = 0; i < 6; i++) {
      expect(await client.applyRefund({ ...apply(`X${i}`, 1), out_trade_no: "NOPE" })).toMatchObject(
        refused("RESOURCE_NOT_EXISTS", 404),
      );
    }
    expect(await client.applyRefund(apply("R1", 1))).toMatchObject(refused("FREQUENCY_LIMITED", 429));
    await h.clock.advance(1000);
    expect((await client.applyRefund(apply("R1", 1))).ok).toBe(true);
  });

  it("refuses a new refund of the same order within the order interval (429), configurable per merchant and at runtime", async () => {
    expect((await client.applyRefund(apply("R1", 100))).ok).toBe(true);
    await h.clock.advance(59_999);
    expect(await client.applyRefund(apply("R2", 100))).toMatchObject(refused("FREQUENCY_LIMITED", 429));
    await h.clock.advance(1);
    expect((await client.applyRefund(apply("R2", 100))).ok).toBe(true);

    await h.control.config({ orderIntervalMs: 10_000 });
    await h.clock.advance(10_000);
    expect((await client.applyRefund(apply("R3", 100))).ok).toBe(true);
    await h.control.patchMerchant(merchant.mchid, { orderIntervalMs: 0 }); // the merchant's setting wins
    expect((await client.applyRefund(apply("R4", 100))).ok).toBe(true);
    await h.control.config({ orderIntervalMs: null });
  });

  it("takes paying accounts (amount.from) only when they add up to the refund, and unsettled funds", async () => {
    const from = (amounts: number[]) =>
      amounts.map((amount, i) => ({ account: i === 0 ? ("AVAILABLE" as const) : ("UNAVAILABLE" as const), amount }));
    const split = await rawV3(h, merchant, {
      method: "POST",
      path: "/v3/refund/domestic/refunds",
      body: { ...apply("RFROM1", 100), amount: { refund: 100, total: 1000, currency: "CNY", from: from([60, 30]) } },
    });
    expect(split.status).toBe(400);
    expect(JSON.parse(split.body)).toMatchObject({ code: "PARAM_ERROR" });
    expect(
      (
        await client.applyRefund({
          ...apply("RFROM2", 100),
          amount: { refund: 100, total: 1000, currency: "CNY", from: from([70, 30]) },
        })
      ).ok,
    ).toBe(true);
    // WeChat spaces refunds of one order a minute apart.
    await h.clock.advance(60_000);
    expect(await client.applyRefund({ ...apply("RFROM3", 100), funds_account: "UNSETTLED" })).toMatchObject({
      ok: true,
      value: { funds_account: "UNSETTLED" },
    });
  });

  it("queries by out_refund_no; an unknown number is 404 RESOURCE_NOT_EXISTS", async () => {
    expect((await client.applyRefund(apply("R|1@x", 100))).ok).toBe(true);
    expect(await client.queryRefund("R|1@x")).toMatchObject({ ok: true, value: { out_refund_no: "R|1@x" } });
    expect(await client.queryRefund("NOPE")).toMatchObject(refused("RESOURCE_NOT_EXISTS", 404));
  });

  it("finds a service provider's refund only under the sub-merchant it was made for (?sub_mchid=)", async () => {
    await h.clock.advance(60_000);
    expect((await client.applyRefund(apply("RSUB1", 100, { sub_mchid: "1900000110" }))).ok).toBe(true);
    expect(await client.queryRefund("RSUB1", { sub_mchid: "1900000110" })).toMatchObject({
      ok: true,
      value: { out_refund_no: "RSUB1" },
    });
    expect(await client.queryRefund("RSUB1")).toMatchObject(refused("RESOURCE_NOT_EXISTS", 404));
    expect(await client.queryRefund("RSUB1", { sub_mchid: "1900000111" })).toMatchObject(
      refused("RESOURCE_NOT_EXISTS", 404),
    );
  });
});

describe("APIv3 authentication and answer signatures", () => {
  const path = "/v3/refund/domestic/refunds/R1";
  const platformKey = () => createPublicKey(merchant.platformPublicKey);
  const verify = (answer: { headers: Headers; body: string }) =>
    verifySignature(answer, async (serial) => (serial === merchant.publicKeyId ? platformKey() : undefined), {
      now: () => h.clock.now(),
    });

  it("answers 401 SIGN_ERROR, unsigned as WeChat's errors are, when the signature, the serial or the timestamp is wrong", async () => {
    const cases = [
      { privateKeyPem: generateRsaKeyPair().privateKeyPem },
      { serialNo: "0123456789ABCDEF" },
      { timestamp: h.clock.now() - 301_000 },
    ];
    for (const sabotage of cases) {
      const answer = await rawV3(h, merchant, { method: "GET", path }, sabotage);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "SIGN_ERROR" });
      expect(answer.headers.get("Wechatpay-Signature")).toBeNull();
      expect(answer.headers.get("Request-ID")).toMatch(/^[0-9A-F]{32}$/);
    }
  });

  it("answers 401 SIGN_ERROR when Authorization is missing or names an unknown mchid (unsigned: no key to sign with)", async () => {
    const missing = await fetch(`${h.baseUrl}${path}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: "SIGN_ERROR" });
    const unknown = await rawV3(h, merchant, { method: "GET", path }, { mchid: "1900009999" });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("Wechatpay-Signature")).toBeNull();
  });

  it("signs successful answers with Wechatpay-* headers the lib verifies, and leaves error answers unsigned", async () => {
    const notFound = await rawV3(h, merchant, { method: "GET", path: "/v3/refund/domestic/refunds/NOSUCH" });
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body)).toMatchObject({ code: "RESOURCE_NOT_EXISTS" });
    expect(notFound.headers.get("Wechatpay-Signature")).toBeNull();
    expect((await client.applyRefund(apply("RSIGNED", 100))).ok).toBe(true);
    const found = await rawV3(h, merchant, { method: "GET", path: "/v3/refund/domestic/refunds/RSIGNED" });
    expect(found.status).toBe(200);
    expect(await verify(found)).toMatchObject({ ok: true, value: { serial: merchant.publicKeyId } });
    expect(found.headers.get("Wechatpay-Signature-Type")).toBe("WECHATPAY2-SHA256-RSA2048");
  });

  it("signs with the platform certificate in certificate mode: trusted beside the public key until the migration is finished", async () => {
    expect((await client.applyRefund(apply("RCERT", 100))).ok).toBe(true);
    await h.control.patchMerchant(merchant.mchid, { signingMode: "certificate" });
    try {
      // WeChat's switch period: the console downloads the certificates for the serial it does not know, and verifies.
      expect(await client.queryRefund("RCERT")).toMatchObject({ ok: true, value: { out_refund_no: "RCERT" } });
      const retired = createV3Client(
        { ...v3Credentials(h, merchant, "public_key"), platformCertificates: "retired" },
        { now: () => h.clock.now() },
      );
      const answer = await retired.client.queryRefund("RCERT");
      expect(answer).toMatchObject({ ok: false, error: { code: "SIGNATURE_INVALID" } });
      expect(!answer.ok && answer.error.detail).toContain("UNKNOWN_SERIAL");
    } finally {
      await h.control.patchMerchant(merchant.mchid, { signingMode: "public_key" });
    }
  });
});

describe("APIv3 apply-abnormal-refund rules", () => {
  const body = { out_refund_no: "R1", type: "MERCHANT_BANK_CARD" as const };

  it("refuses a refund that is not ABNORMAL (400 INVALID_REQUEST), an unknown refund_id (404) and a mismatched out_refund_no (400 PARAM_ERROR)", async () => {
    const applied = await client.applyRefund(apply("R1", 100));
    if (!applied.ok) throw new Error(applied.error.detail);
    expect(await client.applyAbnormalRefund(applied.value.refund_id, body)).toMatchObject(
      refused("INVALID_REQUEST", 400),
    );
    expect(await client.applyAbnormalRefund("123", body)).toMatchObject(refused("RESOURCE_NOT_EXISTS", 404));
    expect(await client.applyAbnormalRefund(applied.value.refund_id, { ...body, out_refund_no: "R2" })).toMatchObject(
      refused("PARAM_ERROR", 400),
    );
  });

  it("refuses encrypted fields under a Wechatpay-Serial that is not the merchant's platform key (400 PARAM_ERROR)", async () => {
    await h.control.script({ outRefundNo: "R1", status: "ABNORMAL", delayMs: 0 });
    const applied = await client.applyRefund(apply("R1", 100));
    if (!applied.ok) throw new Error(applied.error.detail);
    await h.clock.advance(0);
    const answer = await rawV3(
      h,
      merchant,
      {
        method: "POST",
        path: `/v3/refund/domestic/refunds/${applied.value.refund_id}/apply-abnormal-refund`,
        body: {
          out_refund_no: "R1",
          type: "USER_BANK_CARD",
          bank_type: "ICBC_DEBIT",
          bank_account: "QUJD",
          real_name: "QUJD",
        },
      },
      { headers: { "Wechatpay-Serial": "PUB_KEY_ID_SOMEONE_ELSE" } },
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: "PARAM_ERROR" });
  });
});
