/**
 * The APIv2 refund surface: 申请退款 `POST /secapi/pay/refund` (client certificate in TLS mode) and
 * 查询退款 `POST /pay/refundquery`. Refusals before the merchant is known or trusted are `return_code FAIL`
 * (unsigned, as WeChat sends them); business answers are `result_code` SUCCESS/FAIL, signed with the APIv2 key
 * in the sign type the request used.
 */
import { z } from "zod";
import { nonceStr, signV2, verifySign, type V2SignType } from "../../lib/wechatpay/v2/sign";
import { buildXml, parseXml, type V2Params } from "../../lib/wechatpay/v2/xml";
import { v2Error, violation, type Violation } from "../domain/violations";
import { findPayment, v2OrderFields } from "../domain/trade-query";
import { fundsAccountFromV2, v2QueryEntry } from "../domain/wire";
import type { Merchant, Refund } from "../state/schema";
import { downloadBillV2, V2_BILL_PATH } from "./bills";
import type { ApiContext } from "./context";
import type { Answer, ApiRequest, Handled } from "./io";
import { notifyUrlSchema } from "../../lib/wechatpay/notify-url";
import { wechatReasonSchema } from "../../lib/wechatpay/reason-limit";

const REFUND_PATH = "/secapi/pay/refund";
const QUERY_PATH = "/pay/refundquery";
const ORDER_QUERY_PATH = "/pay/orderquery";
const REFUNDS_PER_ANSWER = 10;

export function isV2(path: string): boolean {
  return path === REFUND_PATH || path === QUERY_PATH || path === ORDER_QUERY_PATH || path === V2_BILL_PATH;
}

function xmlAnswer(fields: Record<string, string>): Answer {
  const xml = buildXml(fields);
  // Every value here is ours (ids, digits, Chinese messages), all of which XML can carry.
  if (!xml.ok) throw new Error(`cannot build APIv2 answer: ${xml.error.detail}`);
  return { status: 200, headers: { "Content-Type": "text/xml; charset=utf-8" }, body: xml.value };
}

/** Refused before any business processing: no signature, only a message. */
function returnFail(message: string, mchid?: string): Handled {
  return { answer: xmlAnswer({ return_code: "FAIL", return_msg: message }), mchid, code: `FAIL:${message}` };
}

interface Caller {
  merchant: Merchant;
  signType: V2SignType;
}

/** A signed business answer: result_code SUCCESS with `fields`, or FAIL with the violation's err_code. */
function signedAnswer(caller: Caller, outcome: { fields: Record<string, string> } | { violation: Violation }): Handled {
  const { merchant, signType } = caller;
  const failure = "violation" in outcome ? v2Error(outcome.violation) : undefined;
  const fields: Record<string, string> = {
    return_code: "SUCCESS",
    return_msg: "OK",
    appid: merchant.appid,
    mch_id: merchant.mchid,
    nonce_str: nonceStr(),
    result_code: failure ? "FAIL" : "SUCCESS",
    ...(failure ?? ("fields" in outcome ? outcome.fields : {})),
  };
  fields.sign = signV2(fields, merchant.apiV2Key, signType);
  return { answer: xmlAnswer(fields), mchid: merchant.mchid, code: failure?.err_code };
}

const digits = z.string().regex(/^\d{1,16}$/);
const refundParamsSchema = z.object({
  transaction_id: z.string().min(1).max(32).optional(),
  out_trade_no: z.string().min(1).max(32).optional(),
  out_refund_no: z.string().regex(/^[0-9A-Za-z_\-|*@]{1,64}$/),
  total_fee: digits,
  refund_fee: digits,
  refund_fee_type: z.literal("CNY").optional(),
  refund_desc: wechatReasonSchema.optional(),
  refund_account: z.enum(["REFUND_SOURCE_UNSETTLED_FUNDS", "REFUND_SOURCE_RECHARGE_FUNDS"]).optional(),
  notify_url: notifyUrlSchema.optional(),
});

function refund(ctx: ApiContext, caller: Caller, params: V2Params): Handled {
  const now = ctx.scheduler.now();
  const { mchid } = caller.merchant;
  const limited = ctx.limiter.admit(mchid, now);
  if (limited) return signedAnswer(caller, { violation: limited });
  const handled = refundAdmitted(ctx, caller, params);
  if (handled.code !== undefined) ctx.limiter.recordError(mchid, now);
  return handled;
}

function refundAdmitted(ctx: ApiContext, caller: Caller, params: V2Params): Handled {
  const present = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
  const parsed = refundParamsSchema.safeParse(present);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ");
    return signedAnswer(caller, { violation: violation("PARAM", `参数错误: ${fields}`) });
  }
  const p = parsed.data;
  if (p.transaction_id === undefined && p.out_trade_no === undefined) {
    return signedAnswer(caller, { violation: violation("PARAM", "transaction_id 和 out_trade_no 必须二选一") });
  }
  const result = ctx.desk.apply(caller.merchant, {
    mchid: caller.merchant.mchid,
    protocol: "v2",
    transactionId: p.transaction_id,
    outTradeNo: p.out_trade_no,
    outRefundNo: p.out_refund_no,
    refundFen: Number(p.refund_fee),
    totalFen: Number(p.total_fee),
    reason: p.refund_desc,
    notifyUrl: p.notify_url,
    fundsAccount: fundsAccountFromV2(p.refund_account),
  });
  if (!result.ok) return signedAnswer(caller, { violation: result.error });
  const r = result.value.refund;
  return signedAnswer(caller, {
    fields: {
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_channel: "",
      refund_fee: String(r.refundFen),
      coupon_refund_fee: "0",
      total_fee: String(r.totalFen),
      cash_fee: String(r.totalFen),
      cash_refund_fee: String(r.refundFen),
    },
  });
}

/** WeChat's priority when several are given: refund_id > out_refund_no > transaction_id > out_trade_no. */
function findRefunds(ctx: ApiContext, mchid: string, params: V2Params): Refund[] | undefined {
  const mine = Object.values(ctx.store.state.refunds)
    .filter((r) => r.mchid === mchid)
    .sort((a, b) => a.createTime - b.createTime);
  if (params.refund_id) return mine.filter((r) => r.refundId === params.refund_id);
  if (params.out_refund_no) return mine.filter((r) => r.outRefundNo === params.out_refund_no);
  if (params.transaction_id) return mine.filter((r) => r.transactionId === params.transaction_id);
  if (params.out_trade_no) return mine.filter((r) => r.outTradeNo === params.out_trade_no);
  return undefined;
}

function query(ctx: ApiContext, caller: Caller, params: V2Params): Handled {
  const refunds = findRefunds(ctx, caller.merchant.mchid, params);
  if (!refunds) {
    return signedAnswer(caller, {
      violation: violation("PARAM", "refund_id、out_refund_no、transaction_id、out_trade_no 必须四选一"),
    });
  }
  const [first] = refunds;
  if (!first) return signedAnswer(caller, { violation: violation("REFUND_NOT_FOUND", "退款订单查询失败") });
  // Ten refunds per answer; `offset` asks for the next ones, and total_refund_count says how many there are.
  const offset = /^\d{1,2}$/.test(params.offset ?? "") ? Number(params.offset) : 0;
  const page = refunds.slice(offset, offset + REFUNDS_PER_ANSWER);
  const entries = page.reduce<Record<string, string>>((all, r, n) => ({ ...all, ...v2QueryEntry(r, n) }), {});
  const paged = offset > 0 || refunds.length > REFUNDS_PER_ANSWER;
  return signedAnswer(caller, {
    fields: {
      transaction_id: first.transactionId,
      out_trade_no: first.outTradeNo,
      total_fee: String(first.totalFen),
      cash_fee: String(first.totalFen),
      fee_type: "CNY",
      ...(paged ? { total_refund_count: String(refunds.length) } : {}),
      refund_count: String(page.length),
      ...entries,
    },
  });
}

/** 查询订单: transaction_id wins over out_trade_no, as WeChat documents. */
function orderQuery(ctx: ApiContext, caller: Caller, params: V2Params): Handled {
  const ref = params.transaction_id
    ? { transactionId: params.transaction_id }
    : params.out_trade_no
      ? { outTradeNo: params.out_trade_no }
      : undefined;
  if (!ref) return signedAnswer(caller, { violation: violation("PARAM", "transaction_id 和 out_trade_no 必须二选一") });
  const transaction = findPayment(ctx.store.state, caller.merchant.mchid, ref, params.sub_mch_id || undefined);
  if (!transaction) return signedAnswer(caller, { violation: violation("ORDER_NOT_EXIST", "此交易订单号不存在") });
  return signedAnswer(caller, { fields: v2OrderFields(ctx.store.state, transaction) });
}

export function handleV2(ctx: ApiContext, req: ApiRequest): Handled | "reset" {
  if (req.method !== "POST") return returnFail("请使用post方法");
  if (req.body.trim() === "") return returnFail("post数据为空");
  const parsed = parseXml(req.body);
  if (!parsed.ok) return returnFail("XML格式错误");
  const params = parsed.value;
  const mchid = params.mch_id ?? "";
  const merchant = Object.hasOwn(ctx.store.state.merchants, mchid) ? ctx.store.state.merchants[mchid] : undefined;
  if (!merchant) return returnFail("商户号mch_id不存在");
  // WeChat checks the client certificate of 申请退款 only; the query needs none.
  if (req.path === REFUND_PATH && ctx.tlsMode && !(req.tls?.authorized && req.tls.commonName === mchid)) {
    return returnFail("证书验证失败，请检查商户API证书", mchid);
  }
  const signType = params.sign_type ?? "MD5";
  if (signType !== "MD5" && signType !== "HMAC-SHA256") return returnFail("sign_type参数错误", mchid);
  const caller = { merchant, signType } as const;
  if (!verifySign(params, merchant.apiV2Key, signType)) return signedAnswer(caller, { violation: violation("SIGN") });
  if (params.appid !== merchant.appid) return signedAnswer(caller, { violation: violation("APPID_MISMATCH") });

  const fault = ctx.faults.take(req.method, req.path);
  if (fault?.kind === "reset_before") return "reset";
  if (fault?.kind === "system_error")
    return { ...signedAnswer(caller, { violation: violation("SYSTEM_ERROR") }), fault };
  if (req.path === V2_BILL_PATH) {
    const bill = downloadBillV2(ctx, mchid, params);
    if ("answer" in bill) return { answer: bill.answer, mchid, fault };
    return {
      answer: xmlAnswer({ return_code: "FAIL", ...bill.fail }),
      mchid,
      code: `FAIL:${bill.fail.return_msg}`,
      fault,
    };
  }
  const handled =
    req.path === REFUND_PATH
      ? refund(ctx, caller, params)
      : req.path === ORDER_QUERY_PATH
        ? orderQuery(ctx, caller, params)
        : query(ctx, caller, params);
  return { ...handled, fault };
}
