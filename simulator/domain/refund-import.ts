/**
 * Refunds that did not come through the refund API: history imported from the console (the demo's seeded refunds,
 * so that queries and bills agree with them), and refunds made by hand in the merchant platform, which the console
 * never requested. They are recorded as given, without WeChat's request rules; the balance is left alone.
 */
import { z } from "zod";
import { err, ok, type Result } from "../../lib/result";
import { entityKey, type Refund, type SimState } from "../state/schema";
import { newRefundId } from "./desk";
import { addRefund } from "../state/lookups";
import { wechatReasonSchema } from "../../lib/wechatpay/reason-limit";

const instant = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

const importedRefundSchema = z.object({
  /** Left out for a merchant-platform refund: WeChat then uses the refund id as the merchant's number. */
  outRefundNo: z
    .string()
    .regex(/^[0-9A-Za-z_\-|*@]{1,64}$/)
    .optional(),
  outTradeNo: z.string().min(1),
  refundId: z
    .string()
    .regex(/^\d{1,32}$/)
    .optional(),
  refundFen: z.number().int().positive(),
  status: z.enum(["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"]).default("SUCCESS"),
  /** ISO date-time or epoch milliseconds; default now. */
  createTime: instant.optional(),
  /** SUCCESS only; default the create time. */
  successTime: instant.optional(),
  channel: z.string().min(1).optional(),
  userReceivedAccount: z.string().min(1).optional(),
  reason: wechatReasonSchema.optional(),
});
export type ImportedRefundInput = z.input<typeof importedRefundSchema>;

export const refundsBodySchema = z.object({
  mchid: z.string(),
  /** `import` (history from the console) or `merchant_platform` (made by hand, unknown to the console). */
  origin: z.enum(["import", "merchant_platform"]).default("import"),
  refunds: z.array(importedRefundSchema).min(1).max(10_000),
});

const millis = (value: string | number | undefined, fallback: number) =>
  value === undefined ? fallback : typeof value === "number" ? value : Date.parse(value);

export interface ImportedRefunds {
  created: number;
  unchanged: number;
  refunds: Refund[];
}

/**
 * All or nothing, like transactions: a refund of an unknown order, a known number with other content, or refunds
 * beyond an order's total refuse the whole batch. A refund registered again with the same content changes nothing.
 */
export function importRefunds(
  state: SimState,
  body: z.output<typeof refundsBodySchema>,
  now: number,
  nextSequence: () => number,
): Result<ImportedRefunds, string> {
  const { mchid, origin } = body;
  if (!Object.hasOwn(state.merchants, mchid)) return err(`merchant ${mchid} does not exist`);
  const fresh = new Map<string, Refund>();
  const result: Refund[] = [];
  let unchanged = 0;
  for (const input of body.refunds) {
    const transaction = state.transactions[entityKey(mchid, input.outTradeNo)];
    if (!transaction) return err(`order ${input.outTradeNo} is not registered`);
    const refundId = input.refundId ?? newRefundId(now, nextSequence());
    const outRefundNo = input.outRefundNo ?? refundId;
    const existing = state.refunds[entityKey(mchid, outRefundNo)] ?? fresh.get(outRefundNo);
    if (existing) {
      if (existing.outTradeNo !== input.outTradeNo || existing.refundFen !== input.refundFen) {
        return err(`refund ${outRefundNo} is already registered with another order or amount`);
      }
      unchanged += 1;
      result.push(existing);
      continue;
    }
    const held = [...Object.values(state.refunds), ...fresh.values()]
      .filter((r) => r.mchid === mchid && r.transactionId === transaction.transactionId && r.status !== "CLOSED")
      .reduce((sum, r) => sum + r.refundFen, 0);
    if (input.status !== "CLOSED" && held + input.refundFen > transaction.totalFen) {
      return err(`refunds of order ${input.outTradeNo} would exceed its total`);
    }
    const createTime = millis(input.createTime, now);
    const refund: Refund = {
      mchid,
      refundId,
      outRefundNo,
      transactionId: transaction.transactionId,
      outTradeNo: transaction.outTradeNo,
      protocol: "v3",
      status: input.status,
      channel: input.channel ?? "ORIGINAL",
      userReceivedAccount: input.userReceivedAccount ?? "支付用户零钱",
      fundsAccount: "UNSETTLED",
      refundFen: input.refundFen,
      totalFen: transaction.totalFen,
      reason: input.reason,
      createTime,
      ...(input.status === "SUCCESS" ? { successTime: millis(input.successTime, createTime) } : {}),
      origin,
    };
    fresh.set(outRefundNo, refund);
    result.push(refund);
  }
  for (const refund of fresh.values()) addRefund(state, refund);
  return ok({ created: fresh.size, unchanged, refunds: result });
}
