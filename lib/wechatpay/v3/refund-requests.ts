import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { notifyUrlSchema } from "../notify-url";
import { wechatReasonSchema } from "../reason-limit";

/**
 * What the console asks of WeChat Pay's refund API, checked before anything is signed or sent: a request WeChat
 * would refuse with PARAM_ERROR is refused here with REQUEST_INVALID, and nothing leaves the machine.
 */

/** WeChat: out_refund_no is 1-64 of [0-9A-Za-z_-|*@]; out_trade_no 6-32 of [0-9A-Za-z_-|*] (we only require 1). */
export const outRefundNoSchema = z
  .string()
  .regex(/^[0-9A-Za-z_\-|*@]{1,64}$/, "out_refund_no: 1-64 of 0-9 A-Z a-z _ - | * @");
const outTradeNo = z.string().regex(/^[0-9A-Za-z_\-|*]{1,32}$/, "out_trade_no: 1-32 of 0-9 A-Z a-z _ - | *");
const digits = (max: number) => z.string().regex(new RegExp(`^\\d{1,${max}}$`), `1-${max} digits`);
export const subMchidSchema = digits(32);
export const refundIdSchema = digits(32);
const positiveFen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const goodsDetailSchema = z.object({
  merchant_goods_id: z.string().min(1).max(32),
  wechatpay_goods_id: z.string().min(1).max(32).optional(),
  goods_name: z.string().min(1).max(256).optional(),
  unit_price: positiveFen,
  refund_amount: positiveFen,
  refund_quantity: z.number().int().positive(),
});

export const applyRefundInputSchema = z
  .object({
    /** Partner mode: defaults to the configured sub-merchant. */
    sub_mchid: subMchidSchema.optional(),
    transaction_id: digits(32).optional(),
    out_trade_no: outTradeNo.optional(),
    out_refund_no: outRefundNoSchema,
    reason: wechatReasonSchema.pipe(z.string().min(1)).optional(),
    notify_url: notifyUrlSchema.optional(),
    /** Where the money comes from: the available balance, or unsettled funds (the default of old fund flows). */
    funds_account: z.enum(["AVAILABLE", "UNSETTLED"]).optional(),
    amount: z.object({
      refund: positiveFen,
      /** 退款出资账户及金额: which basic-account balances pay the refund, adding up to it. */
      from: z
        .array(z.object({ account: z.enum(["AVAILABLE", "UNAVAILABLE"]), amount: positiveFen }))
        .min(1)
        .max(2)
        .optional(),
      total: positiveFen,
      currency: z.literal("CNY"),
    }),
    goods_detail: z.array(goodsDetailSchema).min(1).max(100).optional(),
  })
  .refine(
    (r) => r.transaction_id !== undefined || r.out_trade_no !== undefined,
    "transaction_id or out_trade_no is required",
  )
  .refine((r) => r.amount.refund <= r.amount.total, "amount.refund exceeds amount.total")
  .refine(
    (r) => r.amount.from === undefined || r.amount.from.reduce((sum, f) => sum + f.amount, 0) === r.amount.refund,
    "amount.from must add up to amount.refund",
  );
export type ApplyRefundInput = z.input<typeof applyRefundInputSchema>;

export const abnormalRefundInputSchema = z
  .object({
    sub_mchid: subMchidSchema.optional(),
    out_refund_no: outRefundNoSchema,
    type: z.enum(["USER_BANK_CARD", "MERCHANT_BANK_CARD"]),
    bank_type: z
      .string()
      .regex(/^[A-Z0-9_]{1,16}$/)
      .optional(),
    /** Plaintext here; the client encrypts it with the platform key. */
    bank_account: z
      .string()
      .regex(/^\d{6,32}$/, "bank_account: 6-32 digits")
      .optional(),
    real_name: z.string().min(1).max(64).optional(),
  })
  .refine(
    (r) => r.type !== "USER_BANK_CARD" || (r.bank_type && r.bank_account && r.real_name),
    "USER_BANK_CARD needs bank_type, bank_account and real_name",
  )
  // The payer's bank details must not travel when they are not needed.
  .refine(
    (r) => r.type !== "MERCHANT_BANK_CARD" || (!r.bank_type && !r.bank_account && !r.real_name),
    "MERCHANT_BANK_CARD takes no bank details",
  );
export type AbnormalRefundInput = z.input<typeof abnormalRefundInputSchema>;

/** Validates local input; the message lists our own rule texts only, never the values. */
export function checkInput<T>(schema: z.ZodType<T>, input: unknown): Result<T, WechatPayError> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  return err(wechatPayError("malformed", "REQUEST_INVALID", problems.join("; ")));
}
