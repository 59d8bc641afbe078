import type { Result } from "../result";
import type { ParsedBill } from "../wechatpay/bill-file";
import type { WechatPayError } from "../wechatpay/errors";

/** A day's refund bill as downloaded and checked; APIv3 states the hash it was checked against. */
export interface FetchedBill {
  bill: ParsedBill;
  hashType?: string;
  hashValue?: string;
}

/** The reconciliation's view of WeChat Pay's bills; `lib/wechatpay/bill-source.ts` implements it for both protocols. */
export interface RefundBillSource {
  /** The refund bill of a Beijing day (`YYYY-MM-DD`). */
  refundBill(billDate: string): Promise<Result<FetchedBill, WechatPayError>>;
}

export type BillSourceResolver = (merchantId: string) => Promise<Result<RefundBillSource, WechatPayError>>;

/** WeChat has no bill for the day: none at all, or not yet (it publishes the previous day's bill after 10:00). */
export const MISSING_BILL_CODES: readonly string[] = ["NO_STATEMENT_EXIST", "STATEMENT_CREATING"];

/** A day's ALL bill as downloaded, not yet read: it is streamed by its reader. APIv3 states the digest to check. */
export interface TradeBillFile {
  bytes: Uint8Array;
  hashType?: string;
  hashValue?: string;
}

/** The order import's view of WeChat Pay's bills. */
export interface TradeBillSource {
  /** The ALL bill (payments and refunds) of a Beijing day (`YYYY-MM-DD`). */
  tradeBillFile(billDate: string): Promise<Result<TradeBillFile, WechatPayError>>;
}

export type TradeBillSourceResolver = (merchantId: string) => Promise<Result<TradeBillSource, WechatPayError>>;
