/**
 * APIv2 queries about a payment rather than one refund: 查询订单 `POST /pay/orderquery` and 查询退款 by
 * transaction_id `POST /pay/refundquery`, which lists every refund of the payment. Signed and verified like the
 * refund calls (client.ts); neither needs the client certificate.
 */
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { transactionRefSchema, type TransactionRef } from "../transaction-ref";
import {
  call,
  refundEntry,
  refundQuerySchema,
  unexpectedAnswer,
  type V2CallOptions,
  type V2Credentials,
  type V2RefundRecord,
} from "./client";
import { fen, id, validateFields } from "./schema";

// A refund query by transaction_id answers at most ten refunds at a time; `total_refund_count` says how many there
// are, and `offset` asks for the next ones. WeChat's own sample answer leaves total_fee out.
const refundListSchema = refundQuerySchema.extend({
  total_fee: fen.optional(),
  refund_count: fen.pipe(z.number().max(50)),
  total_refund_count: fen.pipe(z.number().max(50)).optional(),
});
const PAGE = 10;

/**
 * 查询退款 by transaction_id: every refund WeChat holds for the payment, whoever made it (the console, or staff in
 * the merchant platform). No refund at all is REFUNDNOTEXIST, which is an empty list here.
 */
export async function listRefundsV2(
  credentials: V2Credentials,
  query: { transactionId: string },
  options: V2CallOptions = {},
): Promise<Result<V2RefundRecord[], WechatPayError>> {
  if (!/^\d{1,32}$/.test(query.transactionId)) {
    return err(wechatPayError("config", "REQUEST_INVALID", "transactionId: 1-32 digits"));
  }
  const records: V2RefundRecord[] = [];
  for (;;) {
    const offset = records.length;
    const answer = await call(credentials, "/pay/refundquery", options, {
      transaction_id: query.transactionId,
      offset: offset > 0 ? offset : undefined,
    });
    if (!answer.ok) return answer.error.code === "RESOURCE_NOT_EXISTS" && offset === 0 ? ok([]) : answer;
    const page = validateFields(refundListSchema, answer.value, "refund query answer");
    if (!page.ok) return err(unexpectedAnswer(page.error.detail));
    if (page.value.transaction_id !== query.transactionId) {
      return err(unexpectedAnswer(`answer is about transaction ${page.value.transaction_id}`));
    }
    for (let n = 0; n < page.value.refund_count; n++) {
      // `_$n` numbers the entries of each answer from 0.
      const entry = refundEntry(answer.value, n);
      if (!entry.ok) return entry;
      records.push(entry.value);
    }
    const total = page.value.total_refund_count ?? page.value.refund_count;
    if (records.length >= total || page.value.refund_count === 0 || page.value.refund_count < PAGE) return ok(records);
  }
}

const orderQuerySchema = z.object({
  out_trade_no: id,
  transaction_id: id.optional(),
  trade_state: z.enum(["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]),
  trade_state_desc: z.string().optional(),
  openid: z.string().optional(),
  sub_openid: z.string().optional(),
  total_fee: fen.optional(),
  cash_fee: fen.optional(),
  fee_type: z.string().optional(),
  attach: z.string().optional(),
  /** Beijing time without separators, `20141111170043`. */
  time_end: z
    .string()
    .regex(/^\d{14}$/)
    .optional(),
});
export type V2OrderQuery = z.output<typeof orderQuerySchema>;

/** 查询订单 `POST /pay/orderquery` by transaction_id (preferred by WeChat) or out_trade_no; no certificate needed. */
export async function queryOrderV2(
  credentials: V2Credentials,
  ref: TransactionRef,
  options: V2CallOptions = {},
): Promise<Result<V2OrderQuery, WechatPayError>> {
  const checked = transactionRefSchema.safeParse(ref);
  if (!checked.success) return err(wechatPayError("config", "REQUEST_INVALID", checked.error.issues[0]!.message));
  const byId = "transactionId" in checked.data;
  const key = "transactionId" in checked.data ? checked.data.transactionId : checked.data.outTradeNo;
  const answer = await call(
    credentials,
    "/pay/orderquery",
    options,
    byId ? { transaction_id: key } : { out_trade_no: key },
  );
  if (!answer.ok) return answer;
  const order = validateFields(orderQuerySchema, answer.value, "order query answer");
  if (!order.ok) return err(unexpectedAnswer(order.error.detail));
  if ((byId ? order.value.transaction_id : order.value.out_trade_no) !== key) {
    return err(unexpectedAnswer(`answer is about another payment than ${key}`));
  }
  return order;
}
