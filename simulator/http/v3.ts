/**
 * The APIv3 refund surface: apply, query, apply-abnormal-refund and the platform certificate download.
 * Order of work per request: route, authenticate, injected fault, the endpoint itself.
 */
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { buildCertificatesResponse, normalizeSerial } from "../../lib/wechatpay/v3/certificates";
import { decryptSensitive } from "../../lib/wechatpay/v3/oaep";
import { violation } from "../domain/violations";
import { findPayment, v3TransactionObject } from "../domain/trade-query";
import { v3RefundObject } from "../domain/wire";
import { privateKeyOf } from "../keys";
import type { Merchant } from "../state/schema";
import { BILL_FILE_PATH, billFile, TRADE_BILL_PATH, tradeBill } from "./bills";
import type { ApiContext } from "./context";
import { header, json, type ApiRequest, type Handled } from "./io";
import { authenticate, errorAnswer, signedAnswer } from "./v3-auth";
import { notifyUrlSchema } from "../../lib/wechatpay/notify-url";
import { wechatReasonSchema } from "../../lib/wechatpay/reason-limit";
import { beijingIso } from "../../lib/beijing-time";

const REFUNDS = "/v3/refund/domestic/refunds";
const QUERY = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/;
const TRANSACTION_QUERY = /^\/v3\/pay(\/partner)?\/transactions\/(id|out-trade-no)\/([^/]+)$/;
const ABNORMAL = /^\/v3\/refund\/domestic\/refunds\/([^/]+)\/apply-abnormal-refund$/;

const applySchema = z.object({
  sub_mchid: z.string().max(32).optional(),
  transaction_id: z.string().min(1).max(32).optional(),
  out_trade_no: z.string().min(1).max(32).optional(),
  out_refund_no: z.string().regex(/^[0-9A-Za-z_\-|*@]{1,64}$/),
  reason: wechatReasonSchema.optional(),
  notify_url: notifyUrlSchema.optional(),
  funds_account: z.enum(["AVAILABLE", "UNSETTLED"]).optional(),
  amount: z.object({
    refund: z.number().int(),
    total: z.number().int(),
    currency: z.literal("CNY"),
    from: z
      .array(z.object({ account: z.enum(["AVAILABLE", "UNAVAILABLE"]), amount: z.number().int().positive() }))
      .optional(),
  }),
  goods_detail: z.array(z.unknown()).optional(),
});

const abnormalSchema = z.object({
  sub_mchid: z.string().max(32).optional(),
  out_refund_no: z.string().min(1).max(64),
  type: z.enum(["USER_BANK_CARD", "MERCHANT_BANK_CARD"]),
  bank_type: z.string().max(16).optional(),
  bank_account: z.string().optional(),
  real_name: z.string().optional(),
});

/** JSON checked against a schema; the PARAM_ERROR message names the fields, as WeChat's does. */
function parseBody<T>(schema: z.ZodType<T>, body: string): { ok: true; value: T } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, message: "请求体不是合法的JSON" };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))].join(", ");
  return { ok: false, message: `参数错误: ${fields}` };
}

type Endpoint = (ctx: ApiContext, merchant: Merchant, req: ApiRequest, match: RegExpExecArray) => Handled;

function apply(ctx: ApiContext, merchant: Merchant, req: ApiRequest): Handled {
  const now = ctx.scheduler.now();
  const limited = ctx.limiter.admit(merchant.mchid, now);
  if (limited) return errorAnswer(merchant, limited);
  const handled = applyAdmitted(ctx, merchant, req, now);
  if (handled.answer.status >= 400) ctx.limiter.recordError(merchant.mchid, now);
  return handled;
}

function applyAdmitted(ctx: ApiContext, merchant: Merchant, req: ApiRequest, now: number): Handled {
  const body = parseBody(applySchema, req.body);
  if (!body.ok) return errorAnswer(merchant, violation("PARAM", body.message));
  const input = body.value;
  if (input.transaction_id === undefined && input.out_trade_no === undefined) {
    return errorAnswer(merchant, violation("PARAM", "transaction_id 和 out_trade_no 必须二选一"));
  }
  const from = input.amount.from?.reduce((sum, f) => sum + f.amount, 0);
  if (from !== undefined && from !== input.amount.refund) {
    return errorAnswer(merchant, violation("PARAM", "amount.from 出资金额之和须等于退款金额"));
  }
  const result = ctx.desk.apply(merchant, {
    mchid: merchant.mchid,
    protocol: "v3",
    transactionId: input.transaction_id,
    outTradeNo: input.out_trade_no,
    outRefundNo: input.out_refund_no,
    refundFen: input.amount.refund,
    totalFen: input.amount.total,
    reason: input.reason,
    notifyUrl: input.notify_url,
    fundsAccount: input.funds_account ?? "UNSETTLED",
    subMchid: input.sub_mchid,
  });
  if (!result.ok) return errorAnswer(merchant, result.error);
  return { answer: signedAnswer(merchant, 200, v3RefundObject(result.value.refund), now), mchid: merchant.mchid };
}

function query(ctx: ApiContext, merchant: Merchant, req: ApiRequest, match: RegExpExecArray): Handled {
  const now = ctx.scheduler.now();
  let outRefundNo: string;
  try {
    outRefundNo = decodeURIComponent(match[1] ?? "");
  } catch {
    return errorAnswer(merchant, violation("PARAM", "out_refund_no 编码错误"));
  }
  const refund = ctx.desk.find(merchant.mchid, outRefundNo);
  // A service provider's refund is found under its sub-merchant only: the query names it in `?sub_mchid=`.
  if (!refund || (refund.subMchid ?? "") !== (req.query.get("sub_mchid") ?? "")) {
    return errorAnswer(merchant, violation("REFUND_NOT_FOUND"));
  }
  return { answer: signedAnswer(merchant, 200, v3RefundObject(refund), now), mchid: merchant.mchid };
}

function applyAbnormal(ctx: ApiContext, merchant: Merchant, req: ApiRequest, match: RegExpExecArray): Handled {
  const now = ctx.scheduler.now();
  const refuse = (message: string) => errorAnswer(merchant, violation("PARAM", message));
  const body = parseBody(abnormalSchema, req.body);
  if (!body.ok) return refuse(body.message);
  const input = body.value;
  const sealed = [input.bank_account, input.real_name].filter((v) => v !== undefined);
  if (input.type === "USER_BANK_CARD" && (sealed.length < 2 || !input.bank_type)) {
    return refuse("USER_BANK_CARD 需要 bank_type、bank_account 和 real_name");
  }
  let bankAccount: string | undefined;
  if (sealed.length > 0) {
    // Encrypted fields must be sealed to the key named in Wechatpay-Serial, which must be this merchant's.
    const serial = header(req, "wechatpay-serial") ?? "";
    const { publicKeyId, certificateSerial, privateKeyPem } = merchant.platform;
    if (serial !== publicKeyId && normalizeSerial(serial) !== normalizeSerial(certificateSerial)) {
      return refuse("Wechatpay-Serial 不是有效的平台证书序列号或微信支付公钥ID");
    }
    const key = privateKeyOf(privateKeyPem);
    for (const field of ["bank_account", "real_name"] as const) {
      const value = input[field];
      if (value === undefined) continue;
      const plain = decryptSensitive(value, key);
      if (!plain.ok) return refuse(`${field} 解密失败`);
      if (field === "bank_account") bankAccount = plain.value;
    }
  }
  const result = ctx.desk.applyAbnormal(merchant, match[1] ?? "", {
    outRefundNo: input.out_refund_no,
    type: input.type,
    bankAccount,
  });
  if (!result.ok) return errorAnswer(merchant, result.error);
  return { answer: signedAnswer(merchant, 200, v3RefundObject(result.value), now), mchid: merchant.mchid };
}

/**
 * 查询订单: `/v3/pay/transactions/{id|out-trade-no}/{…}?mchid=`, and for a service provider
 * `/v3/pay/partner/transactions/…?sp_mchid=&sub_mchid=`. The merchant named in the query must be the caller.
 */
function queryTransaction(ctx: ApiContext, merchant: Merchant, req: ApiRequest, match: RegExpExecArray): Handled {
  const now = ctx.scheduler.now();
  const partner = match[1] === "/partner";
  let key: string;
  try {
    key = decodeURIComponent(match[3] ?? "");
  } catch {
    return errorAnswer(merchant, violation("PARAM", "订单号编码错误"));
  }
  const named = req.query.get(partner ? "sp_mchid" : "mchid");
  const subMchid = partner ? (req.query.get("sub_mchid") ?? "") : undefined;
  if (named === null || subMchid === "") {
    return errorAnswer(merchant, violation("PARAM", partner ? "缺少参数 sp_mchid 或 sub_mchid" : "缺少参数 mchid"));
  }
  if (named !== merchant.mchid) return errorAnswer(merchant, violation("PARAM", "商户号与请求签名的商户号不一致"));
  const ref = match[2] === "id" ? { transactionId: key } : { outTradeNo: key };
  const transaction = findPayment(ctx.store.state, merchant.mchid, ref, subMchid);
  if (!transaction) return errorAnswer(merchant, violation("ORDER_NOT_EXIST"));
  const body = v3TransactionObject(ctx.store.state, merchant, transaction, partner);
  return { answer: signedAnswer(merchant, 200, body, now), mchid: merchant.mchid };
}

/**
 * The merchant's platform certificate, encrypted under its APIv3 key. Always signed with the certificate's own
 * key and serial, whatever the signing mode: a client bootstrapping from this list can only verify it that way.
 */
function certificates(ctx: ApiContext, merchant: Merchant): Handled {
  const now = ctx.scheduler.now();
  const { certificatePem, certificateSerial, privateKeyPem } = merchant.platform;
  const certificate = new X509Certificate(certificatePem);
  const built = buildCertificatesResponse({
    certificates: [
      {
        pem: certificatePem,
        effectiveTime: beijingIso(Date.parse(certificate.validFrom)),
        expireTime: beijingIso(Date.parse(certificate.validTo)),
      },
    ],
    apiV3Key: merchant.apiV3Key,
    signer: { privateKey: privateKeyOf(privateKeyPem), serial: certificateSerial },
    timestamp: String(Math.floor(now / 1000)),
  });
  if (!built.ok) throw new Error(`cannot build certificates of ${merchant.mchid}: ${built.error.detail}`);
  return {
    answer: {
      status: 200,
      headers: { ...built.value.headers, "Content-Type": "application/json" },
      body: built.value.body,
    },
    mchid: merchant.mchid,
  };
}

const ROUTES: { method: string; pattern: RegExp; endpoint: Endpoint }[] = [
  { method: "POST", pattern: /^\/v3\/refund\/domestic\/refunds$/, endpoint: apply },
  { method: "GET", pattern: QUERY, endpoint: query },
  { method: "POST", pattern: ABNORMAL, endpoint: applyAbnormal },
  { method: "GET", pattern: /^\/v3\/certificates$/, endpoint: certificates },
  { method: "GET", pattern: TRANSACTION_QUERY, endpoint: queryTransaction },
  { method: "GET", pattern: /^\/v3\/bill\/tradebill$/, endpoint: tradeBill },
  { method: "GET", pattern: /^\/v3\/billdownload\/file$/, endpoint: billFile },
];

/** Whether this request is for the APIv3 surface at all. */
export function isV3(path: string): boolean {
  return (
    path === REFUNDS ||
    path.startsWith(`${REFUNDS}/`) ||
    path === "/v3/certificates" ||
    TRANSACTION_QUERY.test(path) ||
    path === TRADE_BILL_PATH ||
    path === BILL_FILE_PATH
  );
}

export function handleV3(ctx: ApiContext, req: ApiRequest): Handled | "reset" {
  const now = ctx.scheduler.now();
  const route = ROUTES.map((r) => ({ r, match: r.method === req.method ? r.pattern.exec(req.path) : null })).find(
    (x) => x.match,
  );
  if (!route?.match) return { answer: json(404, { code: "NOT_FOUND", message: "接口不存在" }), code: "NOT_FOUND" };

  const merchant = authenticate(ctx.store.state, req, now);
  if (!merchant.ok) return merchant.error;
  const fault = ctx.faults.take(req.method, req.path);
  if (fault?.kind === "reset_before") return "reset";
  if (fault?.kind === "system_error") return { ...errorAnswer(merchant.value, violation("SYSTEM_ERROR")), fault };
  return { ...route.r.endpoint(ctx, merchant.value, req, route.match), fault };
}
