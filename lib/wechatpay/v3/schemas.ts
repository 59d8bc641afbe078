import { z } from "zod";

/**
 * Shapes of what WeChat Pay sends us in APIv3, as documented. Field names stay in WeChat's snake_case so they can be
 * checked against the documentation line by line. Enumerations we act on are strict; descriptive ones (channel,
 * funds_account) stay strings so a value WeChat adds later does not turn a real refund into an error.
 */

/** Amounts are integers in fen. */
const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(64);
/** RFC 3339 with offset, e.g. 2018-06-08T10:34:56+08:00; checked loosely (any parseable date). */
const wechatTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not a date-time");

/** Status of a refund in apply/query answers. */
const refundStatusSchema = z.enum(["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"]);

/** The refund object answered by apply, query and apply-abnormal-refund. */
export const refundSchema = z.object({
  refund_id: id,
  out_refund_no: id,
  transaction_id: id,
  out_trade_no: id,
  channel: z.string(),
  user_received_account: z.string(),
  success_time: wechatTime.optional(),
  create_time: wechatTime,
  status: refundStatusSchema,
  funds_account: z.string().optional(),
  amount: z.object({
    total: fen,
    refund: fen,
    payer_total: fen,
    payer_refund: fen,
    settlement_refund: fen.optional(),
    settlement_total: fen.optional(),
    discount_refund: fen.optional(),
    currency: z.string(),
    refund_fee: fen.optional(),
  }),
});
export type Refund = z.infer<typeof refundSchema>;

/** Body of every APIv3 error answer. */
/** WeChat's error answer; codes are upper-case words (`SYSTEM_ERROR`), so anything else is not one. */
export const errorBodySchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  message: z.string().max(2048),
});

const encryptedResourceSchema = z.object({
  algorithm: z.string().max(64),
  ciphertext: z.string(),
  nonce: z.string().max(64),
  associated_data: z.string().max(1024).optional(),
});

/** GET /v3/certificates. WeChat holds at most a handful of certificates at a time (old and new during rotation). */
export const certificatesBodySchema = z.object({
  data: z
    .array(
      z.object({
        serial_no: z.string().regex(/^[0-9A-Fa-f]{1,64}$/),
        effective_time: wechatTime,
        expire_time: wechatTime,
        encrypt_certificate: encryptedResourceSchema,
      }),
    )
    .max(16),
});

/** The callback envelope; `resource` is encrypted with the APIv3 key. */
export const notificationSchema = z.object({
  id: z.string().min(1).max(128),
  create_time: wechatTime,
  event_type: z.string().min(1).max(64),
  resource_type: z.string().max(64),
  summary: z.string().max(256),
  resource: encryptedResourceSchema.extend({ original_type: z.string().max(64).optional() }),
});
export type NotificationEnvelope = z.infer<typeof notificationSchema>;

const refundResourceFields = {
  out_trade_no: id,
  transaction_id: id,
  out_refund_no: id,
  refund_id: id,
  // Note: the notification says `refund_status`; apply/query answers say `status` (and add PROCESSING).
  refund_status: z.enum(["SUCCESS", "CLOSED", "ABNORMAL"]),
  success_time: wechatTime.optional(),
  user_received_account: z.string(),
  amount: z.object({ total: fen, refund: fen, payer_total: fen, payer_refund: fen }),
};

/** Decrypted resource of REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED: direct merchant or partner (服务商) mode. */
export const refundResourceSchema = z.union([
  z.object({ mchid: id, ...refundResourceFields }),
  z.object({ sp_mchid: id, sub_mchid: id, ...refundResourceFields }),
]);
export type RefundResource = z.infer<typeof refundResourceSchema>;

const transactionFields = {
  out_trade_no: id,
  transaction_id: id,
  trade_type: z.string().optional(),
  trade_state: z.enum(["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]),
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: wechatTime,
  amount: z.object({ total: fen, payer_total: fen, currency: z.string(), payer_currency: z.string() }),
};

/** Decrypted resource of TRANSACTION.SUCCESS (payment succeeded), direct or partner mode. */
export const transactionResourceSchema = z.union([
  z.object({ mchid: id, appid: id, payer: z.object({ openid: z.string().min(1) }), ...transactionFields }),
  z.object({
    sp_mchid: id,
    sub_mchid: id,
    sp_appid: id,
    sub_appid: id.optional(),
    payer: z.object({ sp_openid: z.string().optional(), sub_openid: z.string().optional() }),
    ...transactionFields,
  }),
]);
export type TransactionResource = z.infer<typeof transactionResourceSchema>;

/**
 * The answer of 查询订单 (`GET /v3/pay/transactions/id/{transaction_id}`, `…/out-trade-no/{out_trade_no}`, and the
 * partner `/v3/pay/partner/transactions/…`). Only `out_trade_no` and `trade_state` are always there: an unpaid order
 * has no transaction_id, success_time, payer or payer_total.
 */
export const transactionQuerySchema = z.object({
  mchid: id.optional(),
  sp_mchid: id.optional(),
  sub_mchid: id.optional(),
  out_trade_no: id,
  transaction_id: id.optional(),
  trade_type: z.string().optional(),
  trade_state: z.enum(["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]),
  trade_state_desc: z.string().max(256).optional(),
  bank_type: z.string().optional(),
  attach: z.string().max(128).optional(),
  success_time: wechatTime.optional(),
  payer: z
    .object({ openid: z.string().optional(), sp_openid: z.string().optional(), sub_openid: z.string().optional() })
    .optional(),
  amount: z
    .object({
      total: fen.optional(),
      payer_total: fen.optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
});
export type TransactionQuery = z.infer<typeof transactionQuerySchema>;
