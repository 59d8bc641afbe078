import { describe, expect, it } from "vitest";
import { addRefund, addTransaction, refundsOfTransaction, transactionById } from "./lookups";
import { emptyState, type Refund, type Transaction } from "./schema";

const transaction = (mchid: string, n: number): Transaction => ({
  mchid,
  outTradeNo: `T${n}`,
  transactionId: `4200${n}`,
  totalFen: 1000,
  paidAt: 0,
  payerOpenid: "o",
});
const refund = (t: Transaction, n: number): Refund => ({
  mchid: t.mchid,
  refundId: `50${n}`,
  outRefundNo: `R${n}`,
  transactionId: t.transactionId,
  outTradeNo: t.outTradeNo,
  protocol: "v3",
  status: "PROCESSING",
  channel: "ORIGINAL",
  userReceivedAccount: "",
  fundsAccount: "AVAILABLE",
  refundFen: 100,
  totalFen: t.totalFen,
  createTime: n,
});

describe("simulator state lookups", () => {
  it("finds transactions by transaction_id and refunds by transaction, per merchant, as they are added", () => {
    const state = emptyState();
    const [a, b, otherMerchant] = [
      transaction("1900000109", 1),
      transaction("1900000109", 2),
      transaction("1900000110", 1),
    ];
    for (const t of [a, b, otherMerchant]) addTransaction(state, t);
    expect(refundsOfTransaction(state, a)).toEqual([]);
    addRefund(state, refund(a, 1));
    addRefund(state, refund(b, 2));
    addRefund(state, refund(a, 3));
    addRefund(state, refund(otherMerchant, 4));
    expect(transactionById(state, "1900000109", "42002")).toBe(b);
    expect(transactionById(state, "1900000110", "42002")).toBeUndefined();
    expect(refundsOfTransaction(state, a).map((r) => r.outRefundNo)).toEqual(["R1", "R3"]);
    expect(refundsOfTransaction(state, otherMerchant).map((r) => r.outRefundNo)).toEqual(["R4"]);
    expect(Object.keys(state.refunds)).toHaveLength(4);
  });

  it("indexes a state it has not seen (loaded from disk, or after a reset) from its contents", () => {
    const saved = emptyState();
    const t = transaction("1900000109", 7);
    addTransaction(saved, t);
    addRefund(saved, refund(t, 1));
    const loaded = JSON.parse(JSON.stringify(saved)) as typeof saved;
    expect(transactionById(loaded, "1900000109", "42007")).toEqual(t);
    expect(refundsOfTransaction(loaded, t).map((r) => r.outRefundNo)).toEqual(["R1"]);
  });
});
