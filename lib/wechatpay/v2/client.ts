/**
 * APIv2 refund calls: 申请退款 `POST /secapi/pay/refund` (mutual TLS with apiclient_cert.p12) and
 * 查询退款 `POST /pay/refundquery`. Requests are signed; every answer that claims success is verified before any
 * of its fields are used, and must be about the refund that was asked for.
 */
import { createSecureContext } from "node:tls";
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { errorFromErrCode, errorFromReturnMsg } from "./codes";
import { toCommonRefundStatus, type CommonRefundStatus } from "./notification";
import { fen, id, validateFields } from "./schema";
import { nonceStr, signV2, verifySign, type V2SignType } from "./sign";
import { postXml, type RawAnswer } from "./transport";
import { buildXml, parseXml, type V2Params } from "./xml";
import { notifyUrlSchema } from "../notify-url";
import { wechatReasonSchema } from "../reason-limit";

/** What the APIv2 client needs from the merchant configuration (the lead maps MerchantCredentials onto it). */
export interface V2Credentials {
  mchid: string;
  appid: string;
  /** The 32-character APIv2 key (API密钥), not the APIv3 key. */
  apiKey: string;
  signType: V2SignType;
  /** apiclient_cert.p12; required for refunds, not for queries. */
  p12?: Buffer;
  /** Defaults to the mchid, as WeChat issues it. */
  p12Password?: string;
  /** `https://api.mch.weixin.qq.com` (or `https://api2.mch.weixin.qq.com`). */
  baseUrl: string;
  /** Service-provider mode (服务商): the sub-merchant and its optional appid. */
  subMchid?: string;
  subAppid?: string;
}

export interface V2CallOptions {
  /** Whole-exchange deadline; defaults to 10 s. */
  timeoutMs?: number;
  /** Extra trust anchor, for tests against a local TLS server only. */
  ca?: string | Buffer;
  /** Fixed only in tests. */
  nonce?: () => string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// Documented charset of merchant numbers: digits, letters and _-|*@.
const merchantNo = (max: number) => z.string().regex(new RegExp(`^[0-9A-Za-z_\\-|*@]{1,${max}}$`));
const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const refundRequestSchema = z
  .object({
    transactionId: z
      .string()
      .regex(/^[0-9A-Za-z]{1,32}$/)
      .optional(),
    outTradeNo: merchantNo(32).optional(),
    outRefundNo: merchantNo(64),
    /** Order total and refund amount in fen. */
    totalFee: amount,
    refundFee: amount,
    refundDesc: wechatReasonSchema.pipe(z.string().min(1)).optional(),
    refundAccount: z.enum(["REFUND_SOURCE_UNSETTLED_FUNDS", "REFUND_SOURCE_RECHARGE_FUNDS"]).optional(),
    notifyUrl: notifyUrlSchema.optional(),
    opUserId: z.string().min(1).max(32).optional(),
  })
  .refine((r) => r.transactionId !== undefined || r.outTradeNo !== undefined, "transactionId or outTradeNo is required")
  .refine((r) => r.refundFee <= r.totalFee, "refundFee must not exceed totalFee");

export type V2RefundRequest = z.input<typeof refundRequestSchema>;

const refundAcceptedSchema = z.object({
  transaction_id: id,
  out_trade_no: id,
  out_refund_no: id,
  refund_id: id,
  refund_fee: fen,
  // Documented as always present, yet absent from WeChat's own example answer: optional here.
  total_fee: fen.optional(),
  cash_fee: fen.optional(),
  cash_refund_fee: fen.optional(),
  settlement_refund_fee: fen.optional(),
  settlement_total_fee: fen.optional(),
  coupon_refund_fee: fen.optional(),
  refund_channel: z.string().optional(),
});

/** WeChat accepted the refund (受理); the outcome comes later by notification or query. */
export type V2RefundAccepted = z.output<typeof refundAcceptedSchema>;

/** 申请退款. Send again with the SAME outRefundNo after a `retry`/`unknown` error: WeChat refunds it only once. */
export async function applyRefundV2(
  credentials: V2Credentials,
  request: V2RefundRequest,
  options: V2CallOptions = {},
): Promise<Result<V2RefundAccepted, WechatPayError>> {
  const input = refundRequestSchema.safeParse(request);
  if (!input.success) {
    const issues = input.error.issues.map((i) => `${i.path.join(".") || "(request)"}: ${i.message}`).join("; ");
    return err(wechatPayError("config", "REQUEST_INVALID", issues));
  }
  const r = input.data;
  if (credentials.p12 === undefined) {
    return err(wechatPayError("config", "CONFIG_MISSING", "apiclient_cert.p12 is required for refunds"));
  }
  const answer = await call(credentials, "/secapi/pay/refund", options, {
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    out_refund_no: r.outRefundNo,
    total_fee: r.totalFee,
    refund_fee: r.refundFee,
    refund_fee_type: "CNY",
    refund_desc: r.refundDesc,
    refund_account: r.refundAccount,
    notify_url: r.notifyUrl,
    op_user_id: r.opUserId ?? credentials.mchid,
  });
  if (!answer.ok) return answer;
  const accepted = validateFields(refundAcceptedSchema, answer.value, "refund answer");
  if (!accepted.ok) return err(unexpectedAnswer(accepted.error.detail));
  if (accepted.value.out_refund_no !== r.outRefundNo || accepted.value.refund_fee !== r.refundFee) {
    const { out_refund_no, refund_fee } = accepted.value;
    return err(unexpectedAnswer(`answer is for refund ${out_refund_no} of ${refund_fee} fen`));
  }
  return ok(accepted.value);
}

const refundRecordSchema = z.object({
  out_refund_no: id,
  refund_id: id,
  refund_fee: fen,
  settlement_refund_fee: fen.optional(),
  refund_status: z.enum(["SUCCESS", "REFUNDCLOSE", "PROCESSING", "CHANGE"]),
  refund_channel: z.string().optional(),
  refund_account: z.string().optional(),
  refund_recv_accout: z.string().optional(),
  /** Beijing time without zone, `2021-10-24 18:30:07`; only once SUCCESS. */
  refund_success_time: z.string().optional(),
});
const INDEXED_FIELDS = Object.keys(refundRecordSchema.shape);

export const refundQuerySchema = z.object({
  transaction_id: id,
  out_trade_no: id,
  total_fee: fen,
  cash_fee: fen.optional(),
  settlement_total_fee: fen.optional(),
  // WeChat pages refunds by ten; an order has at most 50 partial refunds.
  refund_count: fen.pipe(z.number().min(1).max(50)),
});

export type V2RefundRecord = z.output<typeof refundRecordSchema> & { status: CommonRefundStatus };
export type V2RefundQueryResult = z.output<typeof refundQuerySchema> & { refund: V2RefundRecord };

/** The `…_$n` fields of refund number `n` of a refund query answer, as one record. */
export function refundEntry(answer: V2Params, n: number): Result<V2RefundRecord, WechatPayError> {
  const fields: V2Params = {};
  for (const name of INDEXED_FIELDS) {
    const value = answer[`${name}_${n}`];
    if (value !== undefined) fields[name] = value;
  }
  const record = validateFields(refundRecordSchema, fields, `refund query answer, refund #${n}`);
  if (!record.ok) return err(unexpectedAnswer(record.error.detail));
  return ok({ ...record.value, status: toCommonRefundStatus(record.value.refund_status) });
}

/** 查询退款 by out_refund_no. `refund` is the entry (`…_$n` fields) for that refund number. */
export async function queryRefundV2(
  credentials: V2Credentials,
  query: { outRefundNo: string },
  options: V2CallOptions = {},
): Promise<Result<V2RefundQueryResult, WechatPayError>> {
  if (!merchantNo(64).safeParse(query.outRefundNo).success) {
    return err(wechatPayError("config", "REQUEST_INVALID", "outRefundNo: 1-64 of [0-9A-Za-z_-|*@]"));
  }
  const answer = await call(credentials, "/pay/refundquery", options, { out_refund_no: query.outRefundNo });
  if (!answer.ok) return answer;
  const order = validateFields(refundQuerySchema, answer.value, "refund query answer");
  if (!order.ok) return err(unexpectedAnswer(order.error.detail));

  for (let n = 0; n < order.value.refund_count; n++) {
    if (answer.value[`out_refund_no_${n}`] !== query.outRefundNo) continue;
    const refund = refundEntry(answer.value, n);
    return refund.ok ? ok({ ...order.value, refund: refund.value }) : refund;
  }
  return err(unexpectedAnswer(`answer lists no refund ${query.outRefundNo}`));
}

type RequestFields = Record<string, string | number | undefined>;

/** Signs and sends one request; returns the verified fields of an answer with return_code and result_code SUCCESS. */
export async function call(
  credentials: V2Credentials,
  path: string,
  options: V2CallOptions,
  fields: RequestFields,
): Promise<Result<V2Params, WechatPayError>> {
  const raw = await sendSignedV2(credentials, path, options, fields);
  if (!raw.ok) return raw;
  if (raw.value.status !== 200) {
    return err(wechatPayError("network", "UNEXPECTED_RESPONSE", `HTTP ${raw.value.status}`, raw.value.status));
  }
  return readAnswer(raw.value.body, credentials);
}

/** Signs `fields` with the merchant's ids and sends them; the raw answer, for calls whose answer is not XML (bills). */
export async function sendSignedV2(
  credentials: V2Credentials,
  path: string,
  options: V2CallOptions & { maxBytes?: number },
  fields: RequestFields,
): Promise<Result<RawAnswer, WechatPayError>> {
  const url = endpoint(credentials.baseUrl, path);
  if (!url.ok) return url;
  if (credentials.apiKey === "") return err(wechatPayError("config", "CONFIG_MISSING", "APIv2 key is empty"));
  const passphrase = credentials.p12Password ?? credentials.mchid;
  if (credentials.p12 !== undefined) {
    const cert = checkP12(credentials.p12, passphrase);
    if (!cert.ok) return cert;
  }

  const params: RequestFields = {
    appid: credentials.appid,
    mch_id: credentials.mchid,
    sub_appid: credentials.subAppid,
    sub_mch_id: credentials.subMchid,
    nonce_str: (options.nonce ?? nonceStr)(),
    // MD5 is the default and is signalled by leaving sign_type out.
    sign_type: credentials.signType === "HMAC-SHA256" ? "HMAC-SHA256" : undefined,
    ...fields,
  };
  const signed: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== "") signed[name] = value;
  signed.sign = signV2(signed, credentials.apiKey, credentials.signType);
  const body = buildXml(signed);
  if (!body.ok) return err(wechatPayError("config", "REQUEST_INVALID", body.error.detail));

  return postXml(url.value, body.value, {
    pfx: credentials.p12,
    passphrase,
    ca: options.ca,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxBytes,
  });
}

export function readAnswer(body: Buffer, credentials: V2Credentials): Result<V2Params, WechatPayError> {
  const parsed = parseXml(body, "xml");
  if (!parsed.ok) return err(unexpectedAnswer(`${parsed.error.code}: ${parsed.error.detail}`));
  const answer = parsed.value;
  // return_code FAIL is unsigned and says the request was refused before any business processing.
  if (answer.return_code === "FAIL") return err(errorFromReturnMsg(answer.return_msg));
  if (answer.return_code !== "SUCCESS") return err(unexpectedAnswer(`return_code ${answer.return_code ?? "missing"}`));
  // Everything below comes from a signed answer, including business failures: a forged NOTENOUGH must not
  // make the console give up on a refund.
  if (!verifySign(answer, credentials.apiKey, credentials.signType)) {
    return err(wechatPayError("verification", "SIGNATURE_INVALID", "answer sign does not match the APIv2 key"));
  }
  if (answer.mch_id !== undefined && answer.mch_id !== credentials.mchid) {
    return err(unexpectedAnswer(`answer is for mch_id ${answer.mch_id}`));
  }
  if (answer.result_code === "FAIL") return err(errorFromErrCode(answer.err_code ?? "", answer.err_code_des));
  if (answer.result_code !== "SUCCESS") return err(unexpectedAnswer(`result_code ${answer.result_code ?? "missing"}`));
  return ok(answer);
}

function endpoint(baseUrl: string, path: string): Result<string, WechatPayError> {
  let url: URL;
  try {
    url = new URL(baseUrl.replace(/\/+$/, "") + path);
  } catch {
    return err(wechatPayError("config", "CONFIG_INVALID", `baseUrl ${JSON.stringify(baseUrl)} is not a URL`));
  }
  if (url.protocol !== "https:") return err(wechatPayError("config", "CONFIG_INVALID", "baseUrl must be https"));
  return ok(url.toString());
}

/** Loads the PKCS#12 once up front so a bad file or password is a configuration error, not a network one. */
function checkP12(p12: Buffer, passphrase: string): Result<true, WechatPayError> {
  try {
    createSecureContext({ pfx: p12, passphrase });
    return ok(true);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Certificates issued before OpenSSL 3 use RC2-40, which Node 17+ refuses without the legacy provider.
    const hint = /unsupported/i.test(message)
      ? " (legacy RC2-40 PKCS#12: re-export it with `openssl pkcs12 -legacy`, see docs/wechatpay.md)"
      : "";
    return err(wechatPayError("config", "CLIENT_CERT_INVALID", `apiclient_cert.p12: ${message}${hint}`));
  }
}

export function unexpectedAnswer(detail: string): WechatPayError {
  return wechatPayError("malformed", "UNEXPECTED_RESPONSE", detail);
}
