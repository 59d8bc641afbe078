import { z } from "zod";

/**
 * How an operator names a payment to look up at WeChat Pay: WeChat's transaction_id (28 digits on the payer's
 * receipt, `4200…`) or the shop's out_trade_no. Checked before anything is signed: WeChat's own charsets.
 */
export const transactionRefSchema = z.union([
  z.object({ transactionId: z.string().regex(/^\d{1,32}$/, "transaction_id: 1-32 digits") }),
  z.object({ outTradeNo: z.string().regex(/^[0-9A-Za-z_\-|*]{1,32}$/, "out_trade_no: 1-32 of 0-9 A-Z a-z _ - | *") }),
]);
export type TransactionRef = z.infer<typeof transactionRefSchema>;

/**
 * What a pasted number most likely is: WeChat's transaction ids are all digits and 28 long; anything else that fits
 * out_trade_no's charset is taken as the shop's number. Undefined when it can be neither.
 */
export function transactionRefOf(text: string): TransactionRef | undefined {
  const value = text.trim();
  const parsed = transactionRefSchema.safeParse(
    /^\d{28}$/.test(value) ? { transactionId: value } : { outTradeNo: value },
  );
  return parsed.success ? parsed.data : undefined;
}
