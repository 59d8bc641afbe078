import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redacting, requireV3Credentials, type V3Credentials } from "../config";
import { buildCertificatesResponse } from "./certificates";
import { createV3Client, WechatPayV3Client } from "./client";
import { axiosKey, goKey, javaPlatformKey } from "./fixtures/keys";
import { PlatformKeyStore } from "./key-store";
import { decryptSensitive } from "./oaep";
import { verifyAuthorization, parseAuthorization } from "./sign";
import { signResponse } from "./verify";
import { beijingIso } from "../../beijing-time";
import { translate } from "../../translate";

const MCHID = "1900000100";
const apiV3Key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const platform = { privateKey: javaPlatformKey.privateKey, serial: javaPlatformKey.opensslSerial };

const refund = {
  refund_id: "50000000382019052709732678859",
  out_refund_no: "R20240101001",
  transaction_id: "1217752501201407033233368018",
  out_trade_no: "1217752501201407033233368018",
  channel: "ORIGINAL",
  user_received_account: "招商银行信用卡0403",
  create_time: "2020-12-01T16:18:12+08:00",
  status: "PROCESSING",
  funds_account: "AVAILABLE",
  amount: {
    total: 100,
    refund: 60,
    payer_total: 100,
    payer_refund: 60,
    settlement_refund: 60,
    settlement_total: 100,
    discount_refund: 0,
    currency: "CNY",
  },
};
const REFUND_INPUT = {
  out_trade_no: refund.out_trade_no,
  out_refund_no: refund.out_refund_no,
  reason: "商品已售完",
  amount: { refund: 60, total: 100, currency: "CNY" as const },
};
const PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000TEST";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  authorized: boolean;
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** Writes a JSON answer signed the way WeChat signs, with optional sabotage. */
interface Sabotage {
  signer?: typeof platform;
  tamper?: "signature" | "body";
  ageSeconds?: number;
}
function reply(res: ServerResponse, status: number, payload: unknown, options: Sabotage = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signer = options.signer ?? platform;
  const signed = signResponse({
    body,
    ...signer,
    timestamp: String(Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0)),
  });
  if (!signed.ok) throw new Error("cannot sign");
  const headers: Record<string, string> = {
    ...signed.value,
    "Content-Type": "application/json",
    "Request-ID": "08F78BB5AF0610D302",
  };
  if (options.tamper === "signature") {
    // Change the first character for sure: one signature in 64 already starts with "A".
    const signature = headers["Wechatpay-Signature"]!;
    headers["Wechatpay-Signature"] = `${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
  }
  res.writeHead(status, headers).end(options.tamper === "body" ? body.replace("60", "99") : body);
}

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[] = [];
let certificateDownloads = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const auth = parseAuthorization(String(req.headers.authorization ?? ""));
      const signedRequest = { method: req.method!, pathWithQuery: req.url!, body };
      const authorized =
        auth.ok && auth.value.mchid === MCHID && verifyAuthorization(auth.value, signedRequest, goKey.publicKey);
      const entry = { method: req.method!, url: req.url!, headers: req.headers, body, authorized };
      if (req.url === "/v3/certificates") {
        certificateDownloads += 1;
        const certificate = {
          pem: javaPlatformKey.opensslCertificatePem,
          effectiveTime: beijingIso(Date.now() - 86_400_000),
          expireTime: beijingIso(Date.now() + 365 * 86_400_000),
        };
        const built = buildCertificatesResponse({ certificates: [certificate], apiV3Key, signer: platform });
        if (!built.ok) throw new Error("cannot build certificates");
        res.writeHead(200, built.value.headers).end(built.value.body);
        return;
      }
      seen.push(entry);
      if (!authorized) {
        // WeChat does not sign its answer to a request whose signature failed.
        res
          .writeHead(401, { "Content-Type": "application/json" })
          .end(JSON.stringify({ code: "SIGN_ERROR", message: "签名错误" }));
        return;
      }
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  certificateDownloads = 0;
  handler = (_req, res) => reply(res, 200, refund);
});

function credentials(overrides: Record<string, unknown> = {}): V3Credentials {
  const loaded = requireV3Credentials(
    redacting({
      mchid: MCHID,
      baseUrl,
      merchantSerialNo: goKey.serial,
      merchantPrivateKey: goKey.privateKey,
      apiV3Key,
      signType: "HMAC-SHA256",
      ...overrides,
    }),
  );
  if (!loaded.ok) throw new Error(loaded.error.detail);
  return loaded.value;
}

/** Certificate mode, wired the way the app wires it: the store downloads through the client. */
const certificateClient = (overrides: Record<string, unknown> = {}, timeoutMs?: number) =>
  createV3Client(credentials(overrides), { timeoutMs });

describe("WechatPayV3Client against a local signing gateway", () => {
  it("applies a refund: signed request, documented headers, verified and typed answer", async () => {
    const { client } = certificateClient();
    const result = await client.applyRefund(REFUND_INPUT);
    expect(result).toEqual({ ok: true, value: refund });
    expect(certificateDownloads).toBe(1); // bootstrapped on the first answer
    const [request] = seen;
    expect(request).toMatchObject({ method: "POST", url: "/v3/refund/domestic/refunds", authorized: true });
    expect(request?.headers).toMatchObject({
      accept: "application/json",
      "content-type": "application/json",
      "user-agent": "wechatpay-refund-console/0.1 (node)",
    });
    expect(JSON.parse(request!.body)).toEqual(REFUND_INPUT);
  });

  it("puts sub_mchid into the body in partner mode", async () => {
    const { client } = certificateClient({ subMchid: "1900000109" });
    expect((await client.applyRefund(REFUND_INPUT)).ok).toBe(true);
    expect(JSON.parse(seen[0]!.body)).toEqual({ sub_mchid: "1900000109", ...REFUND_INPUT });
  });

  it("queries a refund, with ?sub_mchid= in partner mode, signing path and query", async () => {
    const answer = {
      ...refund,
      out_refund_no: "R2024|01@x",
      status: "SUCCESS",
      success_time: "2020-12-01T16:19:12+08:00",
    };
    handler = (_req, res) => reply(res, 200, answer);
    const { client } = certificateClient({ subMchid: "1900000109" });
    const result = await client.queryRefund("R2024|01@x");
    expect(result).toMatchObject({ ok: true, value: { status: "SUCCESS" } });
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "/v3/refund/domestic/refunds/R2024%7C01%40x?sub_mchid=1900000109",
      body: "",
      authorized: true,
    });
    expect(seen[0]?.headers["content-type"]).toBeUndefined();
  });

  it.each([
    ["platform certificate", () => certificateClient().client, () => platform.serial],
    [
      "WeChat Pay public key",
      () => {
        const keys = new PlatformKeyStore({ publicKey: { id: PUB_KEY_ID, key: javaPlatformKey.publicKey } });
        return new WechatPayV3Client({ credentials: credentials(), keys });
      },
      () => PUB_KEY_ID,
    ],
  ])(
    "applies an abnormal refund with bank details encrypted to the %s named in Wechatpay-Serial",
    async (_mode, makeClient, serial) => {
      handler = (_req, res) =>
        reply(res, 200, { ...refund, status: "PROCESSING" }, { signer: { ...platform, serial: serial() } });
      const result = await makeClient().applyAbnormalRefund(refund.refund_id, {
        out_refund_no: refund.out_refund_no,
        type: "USER_BANK_CARD",
        bank_type: "ICBC_DEBIT",
        bank_account: "6214830901234567",
        real_name: "张三",
      });
      expect(result.ok).toBe(true);
      const request = seen[0]!;
      expect(request.url).toBe(`/v3/refund/domestic/refunds/${refund.refund_id}/apply-abnormal-refund`);
      expect(request.headers["wechatpay-serial"]).toBe(serial());
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({
        out_refund_no: refund.out_refund_no,
        type: "USER_BANK_CARD",
        bank_type: "ICBC_DEBIT",
      });
      expect(decryptSensitive(body.bank_account, javaPlatformKey.privateKey)).toEqual({
        ok: true,
        value: "6214830901234567",
      });
      expect(decryptSensitive(body.real_name, javaPlatformKey.privateKey)).toEqual({ ok: true, value: "张三" });
    },
  );

  it("downloads certificates once for many calls", async () => {
    const { client } = certificateClient();
    for (let i = 0; i < 3; i++) expect((await client.queryRefund(refund.out_refund_no)).ok).toBe(true);
    expect(certificateDownloads).toBe(1);
  });
});

describe("WechatPayV3Client error mapping", () => {
  it.each([
    ["500 SYSTEM_ERROR", 500, "SYSTEM_ERROR", "系统错误", "retry"],
    ["403 NOT_ENOUGH", 403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起", "final"],
    ["429 FREQUENCY_LIMITED", 429, "FREQUENCY_LIMITED", "频率超限", "retry"],
    ["400 INVALID_REQUEST", 400, "INVALID_REQUEST", "退款金额超过可退金额", "final"],
    ["502 with an unknown code", 502, "GATEWAY_SOMETHING", "upstream", "retry"],
  ])("maps a signed %s to a business error", async (_name, status, code, message, advice) => {
    handler = (_req, res) => reply(res, status, { code, message });
    const result = await certificateClient().client.applyRefund(REFUND_INPUT);
    expect(result).toMatchObject({ ok: false, error: { kind: "business", code, httpStatus: status, advice } });
    expect(!result.ok && result.error.detail).toBe(`${message} (Request-ID 08F78BB5AF0610D302)`);
  });

  it.each([
    [
      "a tampered signature",
      (res: ServerResponse) => reply(res, 200, refund, { tamper: "signature" }),
      "SIGNATURE_INVALID",
    ],
    [
      "a body changed after signing",
      (res: ServerResponse) => reply(res, 200, refund, { tamper: "body" }),
      "SIGNATURE_INVALID",
    ],
    [
      "a stale signature (replay)",
      (res: ServerResponse) => reply(res, 200, refund, { ageSeconds: 400 }),
      "TIMESTAMP_SKEW",
    ],
    [
      "a signature by an unknown key",
      (res: ServerResponse) =>
        reply(res, 200, refund, { signer: { privateKey: axiosKey.privateKey, serial: "ABCDEF01" } }),
      "UNKNOWN_SERIAL",
    ],
    [
      "a tampered error answer",
      (res: ServerResponse) => reply(res, 403, { code: "NOT_ENOUGH", message: "x" }, { tamper: "signature" }),
      "SIGNATURE_INVALID",
    ],
  ])("treats %s as SIGNATURE_INVALID, advice unknown, never as data", async (_name, write, reason) => {
    handler = (_req, res) => write(res);
    const result = await certificateClient().client.applyRefund(REFUND_INPUT);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "verification", code: "SIGNATURE_INVALID", advice: "unknown" },
    });
    expect(!result.ok && result.error.detail).toContain(reason);
  });

  it.each([
    [
      "an unsigned 502 page from a proxy",
      (res: ServerResponse) => void res.writeHead(502, { "Content-Type": "text/html" }).end("<html>Bad Gateway</html>"),
    ],
    [
      "a redirect, which is not followed",
      (res: ServerResponse) => void res.writeHead(302, { Location: "http://127.0.0.1:9/x" }).end(),
    ],
    [
      "an unsigned answer whose code is not one of WeChat's",
      (res: ServerResponse) =>
        void res.writeHead(400, { "Content-Type": "application/json" }).end('{"code":"<script>","message":"x"}'),
    ],
  ])("treats %s as UNEXPECTED_RESPONSE, advice unknown, never as data", async (_name, write) => {
    handler = (_req, res) => write(res);
    const result = await certificateClient().client.applyRefund(REFUND_INPUT);
    expect(result).toMatchObject({ ok: false, error: { code: "UNEXPECTED_RESPONSE", advice: "unknown" } });
  });

  it("reads the code of WeChat's unsigned 401 SIGN_ERROR to a badly signed request: a final configuration error", async () => {
    const result = await certificateClient({ merchantPrivateKey: axiosKey.privateKey }).client.queryRefund("R1");
    expect(seen[0]?.authorized).toBe(false);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "business", code: "SIGN_ERROR", httpStatus: 401, advice: "final" },
    });
    expect(!result.ok && result.error.detail).toContain("unsigned error answer");
    expect(!result.ok && translate(result.error.message, "en")).toContain("WECHATPAY_MERCHANT_SERIAL_NO");
  });

  it("maps a verified answer of the wrong shape to UNEXPECTED_RESPONSE (unknown)", async () => {
    handler = (_req, res) => reply(res, 200, { ...refund, status: "DONE", amount: undefined });
    const result = await certificateClient().client.applyRefund(REFUND_INPUT);
    expect(result).toMatchObject({ ok: false, error: { code: "UNEXPECTED_RESPONSE", advice: "unknown" } });
    expect(!result.ok && result.error.detail).toMatch(/status.*amount|amount.*status/);
  });

  it("refuses a verified answer about another refund", async () => {
    handler = (_req, res) => reply(res, 200, { ...refund, out_refund_no: "SOMEONE-ELSE" });
    expect(await certificateClient().client.queryRefund(refund.out_refund_no)).toMatchObject({
      ok: false,
      error: { code: "UNEXPECTED_RESPONSE", advice: "unknown" },
    });
  });

  it("maps a verified non-JSON error answer to UNEXPECTED_RESPONSE", async () => {
    handler = (_req, res) => reply(res, 500, "oops");
    expect(await certificateClient().client.applyRefund(REFUND_INPUT)).toMatchObject({
      ok: false,
      error: { code: "UNEXPECTED_RESPONSE", httpStatus: 500 },
    });
  });

  it("times out when the gateway never answers: TIMEOUT, advice unknown", async () => {
    const { client, keys } = certificateClient({}, 300);
    await keys.refresh();
    handler = () => {}; // never answers
    const started = Date.now();
    expect(await client.applyRefund(REFUND_INPUT)).toMatchObject({
      ok: false,
      error: { kind: "network", code: "TIMEOUT", advice: "unknown" },
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("times out when the body stops half-way", async () => {
    const { client, keys } = certificateClient({}, 300);
    await keys.refresh();
    handler = (_req, res) => void res.writeHead(200, { "Content-Length": "1000" }).write('{"refund_id":');
    expect(await client.applyRefund(REFUND_INPUT)).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
  });

  it.each([
    ["before any answer", (req: IncomingMessage) => req.socket.destroy()],
    [
      "mid-answer",
      (req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { "Content-Length": "1000" }).write('{"refund_id":"5000');
        setTimeout(() => req.socket.destroy(), 20);
      },
    ],
  ])("maps a socket destroyed %s to CONNECTION_RESET, advice unknown", async (_name, write) => {
    handler = write;
    expect(await certificateClient().client.applyRefund(REFUND_INPUT)).toMatchObject({
      ok: false,
      error: { kind: "network", code: "CONNECTION_RESET", advice: "unknown" },
    });
  });

  it("maps a refused connection to CONNECTION_FAILED, advice retry", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const keys = new PlatformKeyStore({ publicKey: { id: "PUB_KEY_ID_X", key: javaPlatformKey.publicKey } });
    const client = new WechatPayV3Client({ credentials: credentials({ baseUrl: `http://127.0.0.1:${port}` }), keys });
    expect(await client.queryRefund("R1")).toMatchObject({
      ok: false,
      error: { code: "CONNECTION_FAILED", advice: "retry" },
    });
  });

  it("refuses an oversized answer without buffering it", async () => {
    handler = (_req, res) => reply(res, 200, { ...refund, channel: "x".repeat(2 * 1024 * 1024) });
    expect(await certificateClient().client.applyRefund(REFUND_INPUT)).toMatchObject({
      ok: false,
      error: { code: "BODY_TOO_LARGE", advice: "unknown" },
    });
  });
});

describe("WechatPayV3Client refuses bad requests before sending anything", () => {
  it.each([
    ["no order reference", { ...REFUND_INPUT, out_trade_no: undefined }],
    ["a refund above the total", { ...REFUND_INPUT, amount: { refund: 101, total: 100, currency: "CNY" as const } }],
    ["a fractional amount", { ...REFUND_INPUT, amount: { refund: 1.5, total: 100, currency: "CNY" as const } }],
    ["a refund number with a slash", { ...REFUND_INPUT, out_refund_no: "../../v3/certificates" }],
    ["another currency", { ...REFUND_INPUT, amount: { refund: 1, total: 100, currency: "USD" as "CNY" } }],
  ])("applyRefund with %s → REQUEST_INVALID", async (_name, input) => {
    expect(await certificateClient().client.applyRefund(input)).toMatchObject({
      ok: false,
      error: { code: "REQUEST_INVALID", advice: "final" },
    });
    expect(seen).toHaveLength(0);
  });

  it.each([
    [
      "a user bank card without the account",
      { out_refund_no: "R1", type: "USER_BANK_CARD" as const, bank_type: "ICBC_DEBIT", real_name: "张三" },
    ],
    [
      "a merchant bank card with the payer's details",
      { out_refund_no: "R1", type: "MERCHANT_BANK_CARD" as const, bank_account: "6214830901234567" },
    ],
  ])("applyAbnormalRefund with %s → REQUEST_INVALID", async (_name, input) => {
    expect(await certificateClient().client.applyAbnormalRefund(refund.refund_id, input)).toMatchObject({
      ok: false,
      error: { code: "REQUEST_INVALID" },
    });
    expect(seen).toHaveLength(0);
  });

  it("refuses a query path that would escape the refund resource", async () => {
    expect(await certificateClient().client.queryRefund("../certificates")).toMatchObject({
      ok: false,
      error: { code: "REQUEST_INVALID" },
    });
  });

  it("refuses an abnormal refund when no platform key can encrypt the bank details", async () => {
    const keys = new PlatformKeyStore({
      certificates: { fetch: async () => ({ ok: true, value: { headers: {}, body: "{}" } }), apiV3Key },
    });
    const client = new WechatPayV3Client({ credentials: credentials(), keys });
    const input = {
      out_refund_no: "R1",
      type: "USER_BANK_CARD" as const,
      bank_type: "ICBC_DEBIT",
      bank_account: "6214830901234567",
      real_name: "张三",
    };
    expect(await client.applyAbnormalRefund(refund.refund_id, input)).toMatchObject({
      ok: false,
      error: { code: "NO_PLATFORM_KEY", advice: "retry" },
    });
    expect(seen).toHaveLength(0);
  });
});

/** WeChat's documented answer of 查询订单 (mchid set to this test's merchant). */
const DOCUMENTED_TRANSACTION = {
  amount: { currency: "CNY", payer_currency: "CNY", payer_total: 1, total: 1 },
  appid: "wxdace645e0bc2cXXX",
  attach: "",
  bank_type: "OTHERS",
  mchid: MCHID,
  out_trade_no: "44_2126281063_5504",
  payer: { openid: "o4GgauJP_mgWEWictzA15WT15XXX" },
  promotion_detail: [],
  success_time: "2021-03-22T10:29:05+08:00",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  trade_type: "JSAPI",
  transaction_id: "4200000891202103228088184743",
};

describe("queryTransaction (查询订单)", () => {
  it("reads the documented answer, asking by transaction_id with ?mchid=", async () => {
    handler = (_req, res) => reply(res, 200, DOCUMENTED_TRANSACTION);
    const { client } = certificateClient();
    const result = await client.queryTransaction({ transactionId: DOCUMENTED_TRANSACTION.transaction_id });
    expect(result).toMatchObject({ ok: true, value: { trade_state: "SUCCESS", amount: { total: 1, payer_total: 1 } } });
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: `/v3/pay/transactions/id/4200000891202103228088184743?mchid=${MCHID}`,
      authorized: true,
    });
  });

  it("asks the partner path by out_trade_no with sp_mchid and sub_mchid", async () => {
    const partner = {
      ...DOCUMENTED_TRANSACTION,
      mchid: undefined,
      sp_mchid: MCHID,
      sub_mchid: "1900000109",
      payer: { sp_openid: "oUpF8uN95-Ptaags6E_roPHg7AG0" },
    };
    handler = (_req, res) => reply(res, 200, partner);
    const { client } = certificateClient({ subMchid: "1900000109" });
    const result = await client.queryTransaction({ outTradeNo: "44_2126281063_5504" });
    expect(result.ok).toBe(true);
    expect(seen[0]?.url).toBe(
      `/v3/pay/partner/transactions/out-trade-no/44_2126281063_5504?sp_mchid=${MCHID}&sub_mchid=1900000109`,
    );
  });

  it("reads an unpaid order (no transaction_id, payer or success_time)", async () => {
    const unpaid = {
      appid: "wx1",
      mchid: MCHID,
      out_trade_no: "N1",
      trade_state: "NOTPAY",
      trade_state_desc: "订单未支付",
      amount: { currency: "CNY", payer_currency: "CNY" },
      payer: {},
    };
    handler = (_req, res) => reply(res, 200, unpaid);
    const result = await certificateClient().client.queryTransaction({ outTradeNo: "N1" });
    expect(result).toMatchObject({ ok: true, value: { trade_state: "NOTPAY" } });
  });

  it.each<[string, Record<string, unknown>]>([
    ["another payment", { transaction_id: "4200000891202103228088180000" }],
    ["another merchant", { mchid: "1900000999" }],
  ])("refuses a signed answer about %s", async (_name, change) => {
    handler = (_req, res) => reply(res, 200, { ...DOCUMENTED_TRANSACTION, ...change });
    const result = await certificateClient().client.queryTransaction({
      transactionId: DOCUMENTED_TRANSACTION.transaction_id,
    });
    expect(result).toMatchObject({ ok: false, error: { code: "UNEXPECTED_RESPONSE" } });
  });

  it("returns ORDER_NOT_EXIST from the unsigned 404", async () => {
    handler = (_req, res) =>
      res
        .writeHead(404, { "Content-Type": "application/json" })
        .end(JSON.stringify({ code: "ORDER_NOT_EXIST", message: "订单不存在" }));
    const result = await certificateClient().client.queryTransaction({ outTradeNo: "X1" });
    expect(result).toMatchObject({ ok: false, error: { code: "ORDER_NOT_EXIST", httpStatus: 404 } });
  });

  it("checks the number before signing anything", async () => {
    const result = await certificateClient().client.queryTransaction({ outTradeNo: "bad/../no" });
    expect(result).toMatchObject({ ok: false, error: { code: "REQUEST_INVALID" } });
    expect(seen).toHaveLength(0);
  });
});
