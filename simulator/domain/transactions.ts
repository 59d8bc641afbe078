/**
 * Paid transactions, registered through the control API (the simulator has no payment surface). Registering the
 * same order again is harmless: the first registration stays WeChat's record, as long as the ids and the total agree.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { err, ok, type Result } from "../../lib/result";
import { entityKey, type SimState, type Transaction } from "../state/schema";
import { beijingPlain } from "../../lib/beijing-time";
import { addTransaction } from "../state/lookups";

const transactionInputSchema = z.object({
  outTradeNo: z.string().regex(/^[0-9A-Za-z_\-|*]{1,32}$/, "outTradeNo: 1-32 of 0-9 A-Z a-z _ - | *"),
  transactionId: z
    .string()
    .regex(/^\d{1,32}$/, "transactionId: digits")
    .optional(),
  totalFen: z.number().int().positive(),
  /** ISO date-time or milliseconds since the epoch; defaults to now. */
  paidAt: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
  payerOpenid: z.string().min(1).max(128).optional(),
  description: z.string().max(127).optional(),
  attach: z.string().max(128).optional(),
  subMchid: z
    .string()
    .regex(/^\d{1,32}$/)
    .optional(),
  /** Registers an order that was not paid, for order queries; refunds of it are refused as of an unknown order. */
  tradeState: z.enum(["NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]).optional(),
});
export type TransactionInput = z.infer<typeof transactionInputSchema>;

export const transactionsBodySchema = z.union([
  transactionInputSchema.extend({ mchid: z.string() }),
  z.object({ mchid: z.string(), transactions: z.array(transactionInputSchema).min(1).max(10_000) }),
]);

/** 28 digits like WeChat's transaction ids: 4200, the Beijing date, the persisted sequence and random digits. */
function newTransactionId(now: number, sequence: number): string {
  const day = beijingPlain(now).slice(0, 10).replaceAll("-", "");
  return `4200${day}${String(sequence).padStart(8, "0")}${String(randomInt(1e8)).padStart(8, "0")}`;
}

export interface Registered {
  created: number;
  unchanged: number;
  transactions: Transaction[];
}

/**
 * Registers all or nothing: one conflicting order refuses the whole batch, so a half-registered batch never has to
 * be untangled. `nextSequence` hands out the counter behind generated transaction ids.
 */
export function registerTransactions(
  state: SimState,
  mchid: string,
  inputs: TransactionInput[],
  now: number,
  nextSequence: () => number,
): Result<Registered, string> {
  if (!Object.hasOwn(state.merchants, mchid)) return err(`merchant ${mchid} does not exist`);
  const byTransactionId = new Map(
    Object.values(state.transactions)
      .filter((t) => t.mchid === mchid)
      .map((t) => [t.transactionId, t]),
  );
  const fresh: Transaction[] = [];
  const result: Transaction[] = [];
  let unchanged = 0;
  for (const input of inputs) {
    const existing =
      state.transactions[entityKey(mchid, input.outTradeNo)] ?? fresh.find((t) => t.outTradeNo === input.outTradeNo);
    if (existing) {
      const sameId = input.transactionId === undefined || input.transactionId === existing.transactionId;
      if (!sameId || input.totalFen !== existing.totalFen) {
        return err(`order ${input.outTradeNo} is already registered with other ids or another total`);
      }
      unchanged += 1;
      result.push(existing);
      continue;
    }
    const transactionId = input.transactionId ?? newTransactionId(now, nextSequence());
    if (byTransactionId.has(transactionId)) return err(`transaction_id ${transactionId} belongs to another order`);
    const paidAt =
      input.paidAt === undefined ? now : typeof input.paidAt === "number" ? input.paidAt : Date.parse(input.paidAt);
    const transaction: Transaction = {
      mchid,
      outTradeNo: input.outTradeNo,
      transactionId,
      totalFen: input.totalFen,
      paidAt,
      payerOpenid: input.payerOpenid ?? `oSim${String(randomInt(1e9)).padStart(9, "0")}`,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.attach === undefined ? {} : { attach: input.attach }),
      ...(input.subMchid === undefined ? {} : { subMchid: input.subMchid }),
      ...(input.tradeState === undefined ? {} : { tradeState: input.tradeState }),
    };
    byTransactionId.set(transactionId, transaction);
    fresh.push(transaction);
    result.push(transaction);
  }
  for (const t of fresh) addTransaction(state, t);
  return ok({ created: fresh.length, unchanged, transactions: result });
}
