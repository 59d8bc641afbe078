import { entityKey, type Refund, type SimState, type Transaction } from "./schema";

/**
 * What the refund rules look up on every application, indexed instead of scanned: a transaction by its
 * transaction_id, and the refunds of a transaction. Scanning every refund for each application made a 10,000-refund
 * bulk run quadratic (a sixth of the simulator's time at 3,000). The index belongs to one state object (a reset
 * replaces it, and a new index is built from its contents); refunds and transactions enter the state only through
 * `addRefund` and `addTransaction`, which keep it current.
 */
interface Index {
  transactionsById: Map<string, Transaction>;
  refundsByTransaction: Map<string, Refund[]>;
}

const indexes = new WeakMap<SimState, Index>();

const transactionKey = (mchid: string, transactionId: string) => `${mchid}/${transactionId}`;

function indexOf(state: SimState): Index {
  let index = indexes.get(state);
  if (!index) {
    index = { transactionsById: new Map(), refundsByTransaction: new Map() };
    for (const transaction of Object.values(state.transactions))
      index.transactionsById.set(transactionKey(transaction.mchid, transaction.transactionId), transaction);
    for (const refund of Object.values(state.refunds)) indexRefund(index, refund);
    indexes.set(state, index);
  }
  return index;
}

function indexRefund(index: Index, refund: Refund): void {
  const key = transactionKey(refund.mchid, refund.transactionId);
  const list = index.refundsByTransaction.get(key);
  if (list) list.push(refund);
  else index.refundsByTransaction.set(key, [refund]);
}

export function transactionById(state: SimState, mchid: string, transactionId: string): Transaction | undefined {
  return indexOf(state).transactionsById.get(transactionKey(mchid, transactionId));
}

/** The refunds of a transaction, in the order they were added. */
export function refundsOfTransaction(
  state: SimState,
  transaction: Pick<Transaction, "mchid" | "transactionId">,
): readonly Refund[] {
  return indexOf(state).refundsByTransaction.get(transactionKey(transaction.mchid, transaction.transactionId)) ?? [];
}

export function addTransaction(state: SimState, transaction: Transaction): void {
  const index = indexOf(state);
  state.transactions[entityKey(transaction.mchid, transaction.outTradeNo)] = transaction;
  index.transactionsById.set(transactionKey(transaction.mchid, transaction.transactionId), transaction);
}

export function addRefund(state: SimState, refund: Refund): void {
  const index = indexOf(state);
  state.refunds[entityKey(refund.mchid, refund.outRefundNo)] = refund;
  indexRefund(index, refund);
}
