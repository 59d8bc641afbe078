/**
 * A WeChat Pay APIv3 written from WeChat Pay's documentation (退款申请, 查询单笔退款, 退款结果通知, 签名生成与验证,
 * 微信支付公钥, 平台证书), not from the simulator's code: tests of the console's real-merchant paths run against it so
 * that a misunderstanding shared by our client and our simulator cannot pass unnoticed. See README.md.
 */
import { createPublicKey, randomBytes, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  beijingTime,
  encryptResource,
  parseAuthorization,
  requestMessage,
  rsaVerify,
  wechatSignatureHeaders,
} from "./wire";
import { allBill, BillFiles, type StubBillPayment } from "./trade-bill";

export interface StubMerchant {
  mchid: string;
  /** The serial number of the merchant's API certificate (商户API证书序列号). */
  serialNo: string;
  /** The public half of the merchant's API key pair, as WeChat holds it from the certificate. */
  publicKey: KeyObject;
  apiV3Key: string;
}

export interface WechatSigner {
  /** `PUB_KEY_ID_…` for the WeChat Pay public key; the certificate's serial number for a platform certificate. */
  serial: string;
  privateKey: KeyObject;
}

/**
 * How answers are signed. `publicKey` and `platform`: always with that key. `switching`: WeChat's migration from
 * platform certificates to the public key — answers stay signed with the platform certificate unless the request's
 * `Wechatpay-Serial` header names the public key id.
 */
export type SigningMode = "publicKey" | "platform" | "switching";

export interface StubOptions {
  merchant: StubMerchant;
  publicKey?: WechatSigner;
  /** A platform certificate: its key signs, and GET /v3/certificates serves the certificate (下载平台证书). */
  platform?: WechatSigner & { certificatePem: string };
  mode: SigningMode;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the Authorization header verified for the registered merchant. */
  authenticated: boolean;
  status: number;
}

export interface StubRefund {
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  channel: "ORIGINAL";
  user_received_account: string;
  success_time?: string;
  create_time: string;
  status: "PROCESSING" | "SUCCESS" | "CLOSED" | "ABNORMAL";
  funds_account: string;
  amount: {
    total: number;
    refund: number;
    payer_total: number;
    payer_refund: number;
    settlement_refund: number;
    settlement_total: number;
    discount_refund: number;
    currency: "CNY";
    refund_fee: number;
  };
  promotion_detail: [];
  /** Kept to compare a repeat with: the same out_refund_no must come with the same content. */
  notify_url?: string;
  reason?: string;
}

/** A payment as 查询订单 answers it (直连商户 fields); the test registers the ones WeChat holds. */
export interface StubPayment {
  out_trade_no: string;
  transaction_id: string;
  trade_state: "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";
  total: number;
  payer_total: number;
  openid: string;
  success_time: string;
  attach?: string;
}

export interface Fault {
  status: number;
  code: string;
  message: string;
}

type Json = Record<string, unknown>;

const APPLY = "/v3/refund/domestic/refunds";
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
/** 签名时间戳与微信支付服务器时间相差超过 5 分钟的请求会被拒绝. */
const MAX_CLOCK_SKEW_S = 300;

export interface WechatPayStub {
  baseUrl: string;
  received: ReceivedRequest[];
  refunds: Map<string, StubRefund>;
  /** Payments made at WeChat Pay: what the ALL trade bill of their day lists. */
  billPayments: StubBillPayment[];
  /** Payments for 查询订单, by out_trade_no. */
  payments: Map<string, StubPayment>;
  /** The next `count` requests (any path) fail with this answer, unsigned as WeChat's errors are. */
  failNext(fault: Fault, count?: number): void;
  /** A refund-result callback as WeChat POSTs it to notify_url, signed with `signer` (default: as answers are signed). */
  refundCallback(
    outRefundNo: string,
    status: "SUCCESS" | "CLOSED" | "ABNORMAL",
    signer?: "publicKey" | "platform",
  ): { url: string; headers: Record<string, string>; body: string };
  /** WeChat's signature probe (签名探测): a callback whose signature starts with `WECHATPAY/SIGNTEST/`. */
  probeCallback(outRefundNo: string): { url: string; headers: Record<string, string>; body: string };
  close(): Promise<void>;
}

export async function startWechatPayStub(options: StubOptions): Promise<WechatPayStub> {
  const { merchant } = options;
  const received: ReceivedRequest[] = [];
  const refunds = new Map<string, StubRefund>();
  const payments = new Map<string, StubPayment>();
  const faults: Fault[] = [];
  const billPayments: StubBillPayment[] = [];
  const billFiles = new BillFiles();
  let sequence = 0;

  const signerFor = (requestSerial: string | undefined): WechatSigner => {
    if (options.mode === "publicKey") return options.publicKey!;
    if (options.mode === "platform") return options.platform!;
    return requestSerial && requestSerial === options.publicKey?.serial ? options.publicKey : options.platform!;
  };

  function answer(res: ServerResponse, status: number, payload: Json | undefined, signer?: WechatSigner): void {
    const body = payload === undefined ? "" : JSON.stringify(payload);
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=utf-8",
      "Request-ID": randomUUID(),
    };
    // Only successful answers carry WeChat's signature; error answers are plain JSON.
    if (signer && status >= 200 && status < 300) Object.assign(headers, wechatSignatureHeaders(signer, body));
    res.writeHead(status, headers).end(body);
  }
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    answer(res, status, { code, message });

  function authenticate(req: IncomingMessage, body: string): string | undefined {
    const auth = parseAuthorization(req.headers.authorization ?? null);
    if (!auth || auth.scheme !== "WECHATPAY2-SHA256-RSA2048") return "Authorization 格式错误";
    if (auth.mchid !== merchant.mchid) return "商户号不存在或未开通该接口";
    if (auth.serial_no.toUpperCase() !== merchant.serialNo.toUpperCase()) return "证书序列号错误";
    if (Math.abs(Date.now() / 1000 - Number(auth.timestamp)) > MAX_CLOCK_SKEW_S) return "请求时间戳过期";
    const message = requestMessage(req.method ?? "", req.url ?? "", auth.timestamp, auth.nonce_str, body);
    return rsaVerify(merchant.publicKey, message, auth.signature) ? undefined : "签名错误";
  }

  function applyRefund(body: Json): { status: number; payload: Json } {
    const amount = (body.amount ?? {}) as Json;
    const bad = (message: string) => ({ status: 400, payload: { code: "PARAM_ERROR", message } });
    if (typeof body.out_refund_no !== "string" || !OUT_REFUND_NO.test(body.out_refund_no))
      return bad("out_refund_no 格式错误");
    if (typeof body.transaction_id !== "string" && typeof body.out_trade_no !== "string")
      return bad("transaction_id 和 out_trade_no 必须二选一");
    if (typeof body.reason === "string" && Buffer.byteLength(body.reason, "utf8") > 80)
      return bad("reason 长度超过 80 字节");
    if (typeof body.notify_url === "string" && !/^https:\/\/[^?]+$/.test(body.notify_url))
      return bad("notify_url 必须为 https 且不能携带参数");
    if (!Number.isInteger(amount.refund) || !Number.isInteger(amount.total) || amount.currency !== "CNY")
      return bad("amount 格式错误");
    if ((amount.refund as number) <= 0 || (amount.refund as number) > (amount.total as number))
      return bad("退款金额超过订单金额");
    const existing = refunds.get(body.out_refund_no);
    if (existing) {
      const same =
        existing.amount.refund === amount.refund &&
        existing.amount.total === amount.total &&
        existing.reason === body.reason;
      return same
        ? { status: 200, payload: existing as unknown as Json }
        : { status: 400, payload: { code: "INVALID_REQUEST", message: "同一退款单号的请求参数不一致" } };
    }
    const refund: StubRefund = {
      refund_id: `50300${Date.now()}${String(++sequence).padStart(6, "0")}`.slice(0, 29),
      out_refund_no: body.out_refund_no,
      transaction_id: (body.transaction_id as string) ?? `4200${Date.now()}`,
      out_trade_no: (body.out_trade_no as string) ?? `TRADE${Date.now()}`,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      create_time: beijingTime(new Date()),
      status: "PROCESSING",
      funds_account: (body.funds_account as string) ?? "UNSETTLED",
      amount: {
        total: amount.total as number,
        refund: amount.refund as number,
        payer_total: amount.total as number,
        payer_refund: amount.refund as number,
        settlement_refund: amount.refund as number,
        settlement_total: amount.total as number,
        discount_refund: 0,
        currency: "CNY",
        refund_fee: 0,
      },
      promotion_detail: [],
      notify_url: body.notify_url as string | undefined,
      reason: body.reason as string | undefined,
    };
    refunds.set(refund.out_refund_no, refund);
    return { status: 200, payload: publicView(refund) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const record: ReceivedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body,
      authenticated: false,
      status: 0,
    };
    received.push(record);
    const done = (status: number) => (record.status = status);

    const refusal = authenticate(req, body);
    if (refusal) return (done(401), error(res, 401, "SIGN_ERROR", refusal));
    record.authenticated = true;
    const fault = faults.shift();
    if (fault) return (done(fault.status), error(res, fault.status, fault.code, fault.message));

    const signer = signerFor(req.headers["wechatpay-serial"] as string | undefined);
    const url = new URL(req.url ?? "/", "http://stub");
    if (req.method === "POST" && url.pathname === APPLY) {
      let parsed: Json;
      try {
        parsed = JSON.parse(body) as Json;
      } catch {
        return (done(400), error(res, 400, "PARAM_ERROR", "请求体不是合法的 JSON"));
      }
      const result = applyRefund(parsed);
      return (done(result.status), answer(res, result.status, result.payload, signer));
    }
    if (req.method === "GET" && url.pathname === "/v3/certificates") {
      if (!options.platform) return (done(404), error(res, 404, "RESOURCE_NOT_EXISTS", "商户未申请平台证书"));
      // Signed like any answer: with the public key when the request names it (the switch's rule), else the certificate.
      return (done(200), answer(res, 200, certificateList(options.platform), signer));
    }
    if (req.method === "GET" && url.pathname === "/v3/bill/tradebill") {
      const billDate = url.searchParams.get("bill_date") ?? "";
      if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate))
        return (done(400), error(res, 400, "PARAM_ERROR", "bill_date 格式错误"));
      if ((url.searchParams.get("bill_type") ?? "ALL") !== "ALL")
        return (done(400), error(res, 400, "PARAM_ERROR", "本桩只提供 ALL 账单"));
      const text = allBill(merchant.mchid, billPayments, billDate);
      if (!text) return (done(400), error(res, 400, "NO_STATEMENT_EXIST", "账单不存在"));
      const offer = billFiles.offer(`http://127.0.0.1:${port}`, text, url.searchParams.get("tar_type") === "GZIP");
      return (done(200), answer(res, 200, offer, signer));
    }
    if (req.method === "GET" && url.pathname === "/v3/billdownload/file") {
      const file = billFiles.take(url.searchParams.get("token") ?? "");
      if (!file) return (done(400), error(res, 400, "PARAM_ERROR", "下载链接已失效"));
      // The file itself is not signed: the hash stated by tradebill is what proves it.
      done(200);
      return void res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(file);
    }
    // 查询订单: GET /v3/pay/transactions/id/{transaction_id}?mchid= and …/out-trade-no/{out_trade_no}?mchid=.
    const order = /^\/v3\/pay\/transactions\/(id|out-trade-no)\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && order) {
      if (url.searchParams.get("mchid") !== merchant.mchid) {
        return (done(400), error(res, 400, "PARAM_ERROR", "mchid 与请求签名的商户号不一致"));
      }
      const key = decodeURIComponent(order[2]!);
      const payment =
        order[1] === "id" ? [...payments.values()].find((p) => p.transaction_id === key) : payments.get(key);
      // 订单未支付时只能用商户订单号查询.
      const found = payment && (order[1] === "out-trade-no" || payment.trade_state !== "NOTPAY") ? payment : undefined;
      if (!found) return (done(404), error(res, 404, "ORDER_NOT_EXIST", "订单不存在"));
      return (done(200), answer(res, 200, paymentView(found), signer));
    }
    const query = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && query) {
      const refund = refunds.get(decodeURIComponent(query[1]!));
      if (!refund) return (done(404), error(res, 404, "RESOURCE_NOT_EXISTS", "退款单不存在"));
      return (done(200), answer(res, 200, publicView(refund), signer));
    }
    done(404);
    error(res, 404, "NOT_FOUND", "接口不存在");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, "SYSTEM_ERROR", String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  /** 查询订单's answer: an unpaid order has no transaction_id, payer, success_time or payer_total. */
  function paymentView(p: StubPayment): Json {
    const paid = p.trade_state === "SUCCESS" || p.trade_state === "REFUND";
    const base = {
      appid: "wxd678efh567hg6787",
      mchid: merchant.mchid,
      out_trade_no: p.out_trade_no,
      trade_state: p.trade_state,
      trade_state_desc: { SUCCESS: "支付成功", REFUND: "转入退款", NOTPAY: "未支付", CLOSED: "已关闭" }[
        p.trade_state as "SUCCESS"
      ],
      attach: p.attach ?? "",
    };
    if (!paid) return { ...base, amount: { currency: "CNY", payer_currency: "CNY" }, payer: {} };
    return {
      ...base,
      transaction_id: p.transaction_id,
      trade_type: "JSAPI",
      bank_type: "OTHERS",
      success_time: p.success_time,
      payer: { openid: p.openid },
      amount: { total: p.total, payer_total: p.payer_total, currency: "CNY", payer_currency: "CNY" },
      promotion_detail: [],
    };
  }

  /** 下载平台证书: each certificate AEAD_AES_256_GCM-encrypted under the APIv3 key, associated data "certificate". */
  function certificateList(platform: WechatSigner & { certificatePem: string }): Json {
    const certificate = new X509Certificate(platform.certificatePem);
    return {
      data: [
        {
          serial_no: platform.serial,
          effective_time: beijingTime(new Date(certificate.validFrom)),
          expire_time: beijingTime(new Date(certificate.validTo)),
          encrypt_certificate: encryptResource(merchant.apiV3Key, platform.certificatePem, "certificate"),
        },
      ],
    };
  }

  function callback(
    outRefundNo: string,
    status: "SUCCESS" | "CLOSED" | "ABNORMAL",
    signer: WechatSigner,
    probe = false,
  ) {
    const refund = refunds.get(outRefundNo);
    if (!refund) throw new Error(`the stub has no refund ${outRefundNo}`);
    refund.status = status;
    if (status === "SUCCESS") refund.success_time = beijingTime(new Date());
    const resource = {
      mchid: merchant.mchid,
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: refund.refund_id,
      refund_status: status,
      ...(refund.success_time ? { success_time: refund.success_time } : {}),
      user_received_account: refund.user_received_account,
      amount: {
        total: refund.amount.total,
        refund: refund.amount.refund,
        payer_total: refund.amount.payer_total,
        payer_refund: refund.amount.payer_refund,
      },
    };
    const summary = { SUCCESS: "退款成功", CLOSED: "退款关闭", ABNORMAL: "退款异常" }[status];
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijingTime(new Date()),
      resource_type: "encrypt-resource",
      event_type: `REFUND.${status}`,
      summary,
      resource: { original_type: "refund", ...encryptResource(merchant.apiV3Key, JSON.stringify(resource), "refund") },
    });
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
      ...wechatSignatureHeaders(signer, body),
    };
    if (probe) headers["Wechatpay-Signature"] = `WECHATPAY/SIGNTEST/${randomBytes(24).toString("base64")}`;
    return { url: refund.notify_url ?? "", headers, body };
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    refunds,
    payments,
    billPayments,
    failNext: (fault, count = 1) => faults.push(...Array.from({ length: count }, () => fault)),
    refundCallback: (outRefundNo, status, which) => {
      const signer = which ? options[which] : signerFor(undefined);
      if (!signer) throw new Error(`the stub has no ${which} key`);
      return callback(outRefundNo, status, signer);
    },
    probeCallback: (outRefundNo) => callback(outRefundNo, "SUCCESS", signerFor(undefined), true),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The refund object as WeChat answers it: without what the stub keeps for itself. */
function publicView({ notify_url: _url, reason: _reason, ...refund }: StubRefund): Json {
  return refund as unknown as Json;
}

/** A merchant's registration from its private key: WeChat knows the public half from the merchant's certificate. */
export function stubMerchantFrom(input: {
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  apiV3Key: string;
}): StubMerchant {
  return {
    mchid: input.mchid,
    serialNo: input.serialNo,
    publicKey: createPublicKey(input.privateKey),
    apiV3Key: input.apiV3Key,
  };
}
