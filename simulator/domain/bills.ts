/**
 * The refund bill (对账单) of a merchant and a Beijing day, made from the simulator's own refunds: every refund that
 * succeeded that day, one line each, then WeChat's summary. Bill adjustments (control API) make a bill disagree
 * with the state on purpose: a line left out, other amounts or status, an extra line, a wrong hash, no bill at all.
 */
import { createHash } from "node:crypto";
import { BILL_COLUMNS, BILL_SUMMARY_COLUMNS } from "../../lib/wechatpay/bill-file";
import { fenToYuan } from "../../lib/money";
import {
  entityKey,
  type BillAdjustment,
  type Merchant,
  type Refund,
  type SimState,
  type Transaction,
} from "../state/schema";
import { beijingPlain } from "./wire";

type Column = (typeof BILL_COLUMNS)[number];

export type BillOutcome =
  | { kind: "missing"; code: "NO_STATEMENT_EXIST" | "STATEMENT_CREATING" }
  | { kind: "bill"; csv: string; lineCount: number; hashValue: string };

/** Refund fees are returned to the merchant at the payment's rate; 0.6% is the usual one. */
const FEE_RATE_PER_MILLE = 6;

interface LineFacts {
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

export const beijingDate = (ms: number): string => beijingPlain(ms).slice(0, 10);

/** WeChat's bill is not quoted CSV: a comma inside free text would split the value, so it is written full-width. */
const text = (value: string) => value.replaceAll(",", "，").replaceAll(/[\r\n]/g, " ");
const yuan = fenToYuan;

function factsOf(refund: Refund, transaction: Transaction | undefined): LineFacts {
  return {
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

function lineValues(merchant: Merchant, f: LineFacts): Record<Column, string> & { feeFen: number } {
  const total = f.transaction?.totalFen ?? 0;
  const feeFen = -Math.round((f.settlementRefundFen * FEE_RATE_PER_MILLE) / 1000);
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
    交易状态: "REFUND",
    付款银行: "OTHERS",
    货币种类: "CNY",
    应结订单金额: yuan(total),
    代金券金额: "0.00",
    微信退款单号: f.refundId,
    商户退款单号: text(f.outRefundNo),
    退款金额: yuan(f.settlementRefundFen),
    充值券退款金额: yuan(f.couponRefundFen),
    退款类型: f.channel,
    退款状态: text(f.refundStatus),
    商品名称: "",
    商户数据包: "",
    手续费: yuan(feeFen),
    费率: "0.60%",
    订单金额: yuan(total),
    申请退款金额: yuan(f.refundFen),
    费率备注: "",
    feeFen,
  };
}

/** The lines of a day: the state's successful refunds, with the adjustments for that day applied. */
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
      const noon = Date.parse(`${billDate}T12:00:00+08:00`);
      result = [
        ...result,
        {
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
 * The bill as WeChat would publish it, or why there is none: a day without refunds has no bill
 * (NO_STATEMENT_EXIST), and a `missing` adjustment withholds it.
 */
export function buildRefundBill(state: SimState, mchid: string, billDate: string): BillOutcome {
  const merchant = state.merchants[mchid];
  const adjustments = state.billAdjustments.filter((a) => a.mchid === mchid && a.billDate === billDate);
  const missing = adjustments.find((a) => a.kind === "missing");
  if (missing?.kind === "missing") return { kind: "missing", code: missing.code };
  const lines = merchant ? dayLines(state, mchid, billDate, adjustments) : [];
  if (!merchant || lines.length === 0) return { kind: "missing", code: "NO_STATEMENT_EXIST" };

  const rows = lines.map((l) => lineValues(merchant, l));
  const sum = (pick: (l: LineFacts) => number) => yuan(lines.reduce((s, l) => s + pick(l), 0));
  const orderTotal = sum((l) => l.transaction?.totalFen ?? 0);
  const summary = [
    String(lines.length),
    orderTotal,
    sum((l) => l.settlementRefundFen),
    sum((l) => l.couponRefundFen),
    yuan(rows.reduce((s, r) => s + r.feeFen, 0)),
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
