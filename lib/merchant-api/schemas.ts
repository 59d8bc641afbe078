import { z } from "zod";
import { MAX_FEN } from "../money";
import { wechatReasonSchema } from "../wechatpay/reason-limit";
import { OUT_REFUND_NO_PATTERN } from "../refunds/out-refund-no";
import { apiError, type ApiReply } from "./errors";

/** WeChat: out_trade_no is 6 to 32 characters of `0-9 a-z A-Z _ - | *`. */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** Idempotency keys are opaque to us; a UUID is typical. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** A paid_at this far ahead of our clock is a mistake, not skew. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? "Required." : what);

/**
 * Money is a JSON integer of fen: `1050` is ¥10.50. Strings ("1050", "10.50") and fractions are refused, never
 * guessed at: a client that sends yuan by mistake fails loudly instead of having its amount reinterpreted.
 */
const fen = z
  .number({ error: required("Must be a JSON number: a whole number of fen (1050 = ¥10.50), not a string.") })
  .int({
    error: (issue) =>
      Number.isInteger(issue.input) ? "Too large." : "Must be a whole number of fen (1050 = ¥10.50), not a fraction.",
    abort: true,
  })
  .max(MAX_FEN, { error: "At most 10000000000 fen (¥100,000,000.00)." });

const text = (max: number) =>
  z.string({ error: required("Must be a string.") }).max(max, { error: `At most ${max} characters.` });

/** Strict objects: a misspelt `out_refund_no` must not be dropped silently, or a retry would refund twice. */
export const recordOrderSchema = z.strictObject({
  out_trade_no: z
    .string({ error: required("Must be a string.") })
    .regex(OUT_TRADE_NO_PATTERN, { error: "6 to 32 characters of 0-9 a-z A-Z _ - | *." }),
  transaction_id: z
    .string({ error: required("Must be a string.") })
    .regex(/^[0-9A-Za-z]{1,32}$/, { error: "1 to 32 letters or digits." }),
  total: fen.positive({ error: "Must be at least 1 fen." }),
  currency: z.literal("CNY", { error: "Only CNY is supported." }).default("CNY"),
  paid_at: z.iso
    .datetime({ offset: true, error: required("ISO-8601 with a time zone, like 2026-11-23T10:00:00+08:00.") })
    .refine((value) => Date.parse(value) <= Date.now() + MAX_FUTURE_SKEW_MS, { error: "Cannot be in the future." }),
  description: text(127).optional(),
  payer_openid: text(128).min(1, { error: "Must not be empty." }).optional(),
});
export type RecordOrderInput = z.output<typeof recordOrderSchema>;

export const createRefundSchema = z.strictObject({
  out_trade_no: z
    .string({ error: required("Must be a string.") })
    .min(1, { error: "Required." })
    .max(64),
  // Only the type is checked here: zero and negative amounts are INVALID_AMOUNT, the refund rule's own answer.
  amount: fen,
  reason: wechatReasonSchema.optional(),
  out_refund_no: z
    .string({ error: required("Must be a string.") })
    .regex(OUT_REFUND_NO_PATTERN, { error: "1 to 64 characters of 0-9 a-z A-Z _ - | * @." })
    .optional(),
  funds_account: z.literal("AVAILABLE", { error: 'The only choice is "AVAILABLE".' }).optional(),
});
export type CreateRefundInput = z.output<typeof createRefundSchema>;

/** zod's issues as `field_errors`, keyed by the JSON path; unknown fields each get their own entry. */
export function invalidRequest(
  error: z.ZodError,
  message = "Check the fields listed in field_errors.",
): ApiReply<never> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const keys =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((k) => [...issue.path, k].join("."))
        : [issue.path.join(".") || "_body"];
    const message = issue.code === "unrecognized_keys" ? "Unknown field." : issue.message;
    for (const key of keys) (fieldErrors[key] ??= []).push(message);
  }
  return apiError("INVALID_REQUEST", message, { field_errors: fieldErrors });
}
