/**
 * Bill downloads. APIv3: `GET /v3/bill/tradebill` answers a signed `{hash_type, hash_value, download_url}`, and the
 * file itself comes from `GET /v3/billdownload/file?token=…` (signed request, unsigned answer: the hash is what
 * proves it). APIv2: `POST /pay/downloadbill` answers the file itself, or an unsigned `return_code FAIL`.
 */
import { gzipSync } from "node:zlib";
import { beijingDate, beijingDayStart } from "../../lib/beijing-time";
import type { BillType } from "../../lib/wechatpay/bill-file";
import { buildTradeBill } from "../domain/bills";
import { violation } from "../domain/violations";
import type { Merchant } from "../state/schema";
import type { ApiContext } from "./context";
import { header, type Answer, type ApiRequest, type Handled } from "./io";
import { errorAnswer, signedAnswer } from "./v3-auth";

export const TRADE_BILL_PATH = "/v3/bill/tradebill";
export const BILL_FILE_PATH = "/v3/billdownload/file";
export const V2_BILL_PATH = "/pay/downloadbill";

function fileAnswer(bytes: Uint8Array, gzip: boolean): Answer {
  return {
    status: 200,
    headers: { "Content-Type": gzip ? "application/octet-stream" : "text/plain; charset=utf-8" },
    body: bytes,
  };
}

/** The bill of a date for a merchant as bytes, or WeChat's reason for having none. */
function billFor(ctx: ApiContext, mchid: string, billDate: string, billType: BillType, gzip: boolean) {
  const outcome = buildTradeBill(ctx.store.state, mchid, billDate, billType);
  if (outcome.kind === "missing") return outcome;
  const plain = Buffer.from(outcome.csv, "utf8");
  return { ...outcome, bytes: gzip ? gzipSync(plain) : plain };
}

/** ALL (the default, payments and refunds) and REFUND; SUCCESS and RECHARGE_REFUND are not simulated. */
const isBillType = (value: string): value is BillType => value === "ALL" || value === "REFUND";

/** A past Beijing day: WeChat publishes a day's bill the next morning, never today's. */
function pastDay(ctx: ApiContext, billDate: string): boolean {
  return !Number.isNaN(beijingDayStart(billDate).getTime()) && billDate < beijingDate(ctx.scheduler.now());
}

export function tradeBill(ctx: ApiContext, merchant: Merchant, req: ApiRequest): Handled {
  const now = ctx.scheduler.now();
  const refuse = (message: string) => errorAnswer(merchant, violation("PARAM", message));
  const billDate = req.query.get("bill_date") ?? "";
  const tarType = req.query.get("tar_type");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) return refuse("bill_date 格式应为 yyyy-MM-DD");
  const billType = req.query.get("bill_type") ?? "ALL";
  if (!isBillType(billType)) return refuse("模拟器只提供 bill_type=ALL 与 REFUND 的交易账单");
  if (tarType !== null && tarType !== "GZIP") return refuse("tar_type 只能是 GZIP");
  if (!pastDay(ctx, billDate)) return refuse("bill_date 只能是今天以前的日期");
  const bill = billFor(ctx, merchant.mchid, billDate, billType, tarType === "GZIP");
  if (bill.kind === "missing") {
    return errorAnswer(merchant, violation(bill.code === "NO_STATEMENT_EXIST" ? "NO_STATEMENT" : "STATEMENT_CREATING"));
  }
  const token = ctx.bills.put({ mchid: merchant.mchid, bytes: bill.bytes, gzip: tarType === "GZIP" }, now);
  const origin = `${req.tls ? "https" : "http"}://${header(req, "host") ?? "127.0.0.1"}`;
  const payload = {
    hash_type: "SHA1",
    hash_value: bill.hashValue,
    download_url: `${origin}${BILL_FILE_PATH}?token=${token}`,
  };
  return { answer: signedAnswer(merchant, 200, payload, now), mchid: merchant.mchid };
}

export function billFile(ctx: ApiContext, merchant: Merchant, req: ApiRequest): Handled {
  const now = ctx.scheduler.now();
  const file = ctx.bills.find(req.query.get("token") ?? "", merchant.mchid, now);
  if (!file) return errorAnswer(merchant, violation("DOWNLOAD_EXPIRED"));
  return { answer: fileAnswer(file.bytes, file.gzip), mchid: merchant.mchid };
}

/** APIv2 下载对账单: the file, or the `return_msg` / `error_code` WeChat refuses with. */
export function downloadBillV2(
  ctx: ApiContext,
  mchid: string,
  params: Record<string, string>,
): { answer: Answer } | { fail: { return_msg: string; error_code: string } } {
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(params.bill_date ?? "");
  const billDate = date ? `${date[1]}-${date[2]}-${date[3]}` : "";
  if (!date || !pastDay(ctx, billDate)) return { fail: { return_msg: "invalid bill_date", error_code: "20001" } };
  const billType = params.bill_type ?? "ALL";
  if (!isBillType(billType)) return { fail: { return_msg: "invalid bill_type", error_code: "20001" } };
  if (params.tar_type !== undefined && params.tar_type !== "GZIP")
    return { fail: { return_msg: "invalid tar_type", error_code: "20001" } };
  const bill = billFor(ctx, mchid, billDate, billType, params.tar_type === "GZIP");
  if (bill.kind === "missing") {
    return bill.code === "NO_STATEMENT_EXIST"
      ? { fail: { return_msg: "No Bill Exist", error_code: "20002" } }
      : { fail: { return_msg: "Bill Creating", error_code: "20001" } };
  }
  return { answer: fileAnswer(bill.bytes, params.tar_type === "GZIP") };
}
