/** zod building blocks shared by the APIv2 answers and notifications, which carry every value as text. */
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import type { V2Params } from "./xml";

/**
 * An amount in fen, written by WeChat as decimal digits. Strict on purpose: no sign, no decimal point,
 * no exponent, no leading zero, no whitespace, and small enough to stay an exact JavaScript integer.
 */
export const fen = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,15})$/, "expected an amount in fen (digits only)")
  .transform(Number)
  .refine(Number.isSafeInteger, "amount too large");

/** An identifier WeChat or the merchant assigned (order, refund, transaction numbers): 1 to 64 characters. */
export const id = z.string().min(1).max(64);

/**
 * Validates parsed XML fields against `schema`. Empty values count as absent, which is how WeChat treats
 * them (they are also left out of the signature), so `<success_time><![CDATA[]]></success_time>` is "no time".
 */
export function validateFields<S extends z.ZodType>(
  schema: S,
  params: V2Params,
  what: string,
): Result<z.output<S>, WechatPayError> {
  const present = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(present);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  return err(wechatPayError("malformed", "MALFORMED", `${what}: ${issues.join("; ")}`));
}
