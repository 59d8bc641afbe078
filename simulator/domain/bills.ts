/**
 * The trade bill (交易账单) of a merchant and a Beijing day, made from the simulator's own payments and refunds: the
 * REFUND bill has every refund that succeeded that day, the ALL bill also every payment of the day (交易状态 SUCCESS,
 * refund columns 0 as WeChat writes them), one line each in time order, then WeChat's summary. Bill adjustments (control API) make a bill disagree
 * with the state on purpose: a line left out, other amounts or status, an extra line, a wrong hash, no bill at all.
 */
import { createHash } from "node:crypto";
import { BILL_COLUMNS, BILL_SUMMARY_COLUMNS, type BillType } from "../../lib/wechatpay/bill-file";
import { fenToYuan } from "../../lib/money";
import {
  entityKey,
  type BillAdjustment,
  type Merchant,
  type Refund,
  type SimState,
  type Transaction,
} from "../state/schema";
import { beijingDate, beijingDayStart, beijingPlain } from "../../lib/beijing-time";

type Column = (typeof BILL_COLUMNS)[number];

export type BillOutcome =
  | { kind: "missing"; code: "NO_STATEMENT_EXIST" | "STATEMENT_CREATING" }
  | { kind: "bill"; csv: string; lineCount: number; hashValue: string };

/** Refund fees are returned to the merchant at the payment's rate; 0.6% is the usual one. */
const FEE_RATE_PER_MILLE = 6;

interface LineFacts {
  /** 交易状态: a payment (SUCCESS) or a refund of one (REFUND). */
  kind: "SUCCESS" | "REFUND";
  at: number;
  transaction: Transaction | undefined;
  outTradeNo: string;
  refundId: string;
  outRefundNo: string;
  refundFen: number;
  settlementRefundFen: number;
  couponRefundFen: number;
  channel: string;
  refundStatus: string;
}

/** WeChat's bill is not quoted CSV: a comma inside free text would split the value, so it is written full-width. */
const text = (value: string) => value.replaceAll(",", "，").replaceAll(/[\r\n]/g, " ");
const yuan = fenToYuan;

function factsOf(refund: Refund, transaction: Transaction | undefined): LineFacts {
  return {
    kind: "REFUND",
    at: refund.successTime ?? refund.createTime,
    transaction,
    outTradeNo: refund.outTradeNo,
    refundId: refund.refundId,
    outRefundNo: refund.outRefundNo,
    refundFen: refund.refundFen,
    settlementRefundFen: refund.refundFen,
    couponRefundFen: 0,
    channel: refund.channel,
    refundStatus: "SUCCESS",
  };
}

function paymentFacts(transaction: Transaction): LineFacts {
  return {
    kind: "SUCCESS",
    at: transaction.paidAt,
    transaction,
    outTradeNo: transaction.outTradeNo,
    refundId: "0",
    outRefundNo: "0",
    refundFen: 0,
    settlementRefundFen: 0,
    couponRefundFen: 0,
    channel: "",
    refundStatus: "",
  };
}

/** WeChat rounds fees to fen and pads them with three zeros: `0.06000`, `-0.06000`. */
const feeYuan = (feeFen: number) => `${yuan(feeFen)}000`;

function lineValues(merchant: Merchant, f: LineFacts): Record<Column, string> & { feeFen: number } {
  const total = f.transaction?.totalFen ?? 0;
  const feeFen =
    f.kind === "SUCCESS"
      ? Math.round((total * FEE_RATE_PER_MILLE) / 1000)
      : -Math.round((f.settlementRefundFen * FEE_RATE_PER_MILLE) / 1000);
  const refund = f.kind === "REFUND";
  return {
    交易时间: beijingPlain(f.at),
    公众账号ID: merchant.appid,
    商户号: merchant.mchid,
    特约商户号: "0",
    设备号: "",
    微信订单号: f.transaction?.transactionId ?? "",
    商户订单号: text(f.outTradeNo),
    用户标识: f.transaction?.payerOpenid ?? "",
    交易类型: "JSAPI",
    交易状态: f.kind,
    付款银行: "OTHERS",
    货币种类: "CNY",
    应结订单金额: yuan(total),
    代金券金额: "0.00",
    微信退款单号: refund ? f.refundId : "0",
    商户退款单号: refund ? text(f.outRefundNo) : "0",
    退款金额: yuan(f.settlementRefundFen),
    充值券退款金额: yuan(f.couponRefundFen),
    退款类型: f.channel,
    退款状态: refund ? text(f.refundStatus) : "",
    商品名称: "",
    商户数据包: "",
    手续费: feeYuan(feeFen),
    费率: "0.60%",
    订单金额: yuan(total),
    申请退款金额: yuan(f.refundFen),
    费率备注: "",
    feeFen,
  };
}

/** The payments of a day, for the ALL bill. */
function paymentLines(state: SimState, mchid: string, billDate: string): LineFacts[] {
  return Object.values(state.transactions)
    .filter((t) => t.mchid === mchid && beijingDate(t.paidAt) === billDate)
    .map(paymentFacts);
}

/** The refund lines of a day: the state's successful refunds, with the adjustments for that day applied. */
function dayLines(state: SimState, mchid: string, billDate: string, adjustments: BillAdjustment[]): LineFacts[] {
  const transactionOf = (outTradeNo: string | undefined) =>
    outTradeNo === undefined ? undefined : state.transactions[entityKey(mchid, outTradeNo)];
  const lines = Object.values(state.refunds)
    .filter(
      (r) => r.mchid === mchid && r.status === "SUCCESS" && beijingDate(r.successTime ?? r.createTime) === billDate,
    )
    .sort((a, b) => (a.successTime ?? 0) - (b.successTime ?? 0) || a.outRefundNo.localeCompare(b.outRefundNo))
    .map((r) => factsOf(r, transactionOf(r.outTradeNo)));
  let result = lines;
  for (const a of adjustments) {
    if (a.kind === "omit") result = result.filter((l) => l.outRefundNo !== a.outRefundNo);
    if (a.kind === "change") {
      result = result.map((l) =>
        l.outRefundNo !== a.outRefundNo
          ? l
          : {
              ...l,
              refundFen: a.refundFen ?? l.refundFen,
              settlementRefundFen: a.settlementRefundFen ?? l.settlementRefundFen,
              couponRefundFen: a.couponRefundFen ?? l.couponRefundFen,
              refundStatus: a.refundStatus ?? l.refundStatus,
            },
      );
    }
    if (a.kind === "add") {
      const noon = beijingDayStart(billDate).getTime() + 12 * 3_600_000;
      result = [
        ...result,
        {
          kind: "REFUND",
          at: noon,
          transaction: transactionOf(a.outTradeNo),
          outTradeNo: a.outTradeNo ?? "",
          refundId: `50300${billDate.replaceAll("-", "")}${String(result.length + 1).padStart(16, "0")}`,
          outRefundNo: a.outRefundNo,
          refundFen: a.refundFen,
          settlementRefundFen: a.settlementRefundFen ?? a.refundFen,
          couponRefundFen: a.couponRefundFen ?? 0,
          channel: "ORIGINAL",
          refundStatus: a.refundStatus ?? "SUCCESS",
        },
      ];
    }
  }
  return result;
}

function csvLine(values: readonly string[], marked: boolean): string {
  return values.map((v) => (marked ? `\`${v}` : v)).join(",");
}

/**
 * The bill as WeChat would publish it, or why there is none: a day without a line has no bill
 * (NO_STATEMENT_EXIST), and a `missing` adjustment withholds it. Adjustments change the refund lines.
 */
export function buildTradeBill(state: SimState, mchid: string, billDate: string, billType: BillType): BillOutcome {
  const merchant = state.merchants[mchid];
  const adjustments = state.billAdjustments.filter((a) => a.mchid === mchid && a.billDate === billDate);
  const missing = adjustments.find((a) => a.kind === "missing");
  if (missing?.kind === "missing") return { kind: "missing", code: missing.code };
  const refundLines = merchant ? dayLines(state, mchid, billDate, adjustments) : [];
  const lines =
    billType === "ALL" && merchant
      ? [...paymentLines(state, mchid, billDate), ...refundLines].sort(
          (a, b) => a.at - b.at || a.outTradeNo.localeCompare(b.outTradeNo) || a.kind.localeCompare(b.kind),
        )
      : refundLines;
  if (!merchant || lines.length === 0) return { kind: "missing", code: "NO_STATEMENT_EXIST" };

  const rows = lines.map((l) => lineValues(merchant, l));
  const sum = (pick: (l: LineFacts) => number) => yuan(lines.reduce((s, l) => s + pick(l), 0));
  // The ALL bill totals the payments' amounts over its payment lines; the REFUND bill over its refunds' orders.
  const counted = (l: LineFacts) =>
    billType === "REFUND" || l.kind === "SUCCESS" ? (l.transaction?.totalFen ?? 0) : 0;
  const orderTotal = sum(counted);
  const summary = [
    String(lines.length),
    orderTotal,
    sum((l) => l.settlementRefundFen),
    sum((l) => l.couponRefundFen),
    feeYuan(rows.reduce((s, r) => s + r.feeFen, 0)),
    orderTotal,
    sum((l) => l.refundFen),
  ];
  const csv = [
    BILL_COLUMNS.join(","),
    ...rows.map((r) =>
      csvLine(
        BILL_COLUMNS.map((c) => r[c]),
        true,
      ),
    ),
    BILL_SUMMARY_COLUMNS.join(","),
    csvLine(summary, true),
    "",
  ].join("\r\n");
  const digest = createHash("sha1").update(csv, "utf8").digest("hex");
  // A wrong hash as a flipped last digit: the shape of a real one, but not this file's.
  const hashValue = adjustments.some((a) => a.kind === "corrupt_hash")
    ? digest.slice(0, -1) + (digest.endsWith("0") ? "1" : "0")
    : digest;
  return { kind: "bill", csv, lineCount: lines.length, hashValue };
}
