/**
 * APIv3 申请交易账单: `GET /v3/bill/tradebill?bill_date=…&bill_type=…&tar_type=GZIP` (with `sub_mchid` in partner
 * mode) answers a signed `{hash_type, hash_value, download_url}`; the file behind the URL is fetched with a signed
 * request. The refund bill is read whole and refused unless its digest is the one WeChat stated; the ALL bill is
 * handed on as bytes with the stated hash, for a reader that streams it and checks the digest at the end.
 */
import { z } from "zod";
import { err, ok, type Result } from "../../result";
import { MAX_BILL_BYTES, readBillFile, type BillType, type ParsedBill } from "../bill-file";
import { wechatPayError, type WechatPayError } from "../errors";
import type { WechatPayV3Client } from "./client";
import { checkInput, subMchidSchema } from "./refund-requests";

const billDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "bill_date: YYYY-MM-DD");

const billAnswerSchema = z.object({
  hash_type: z.string().min(1),
  hash_value: z.string().regex(/^[0-9A-Fa-f]{16,128}$/),
  download_url: z.string().min(1),
});

export interface DownloadedBill {
  bill: ParsedBill;
  hashType: string;
  hashValue: string;
}

/** A bill file as downloaded (gzip), with the digest WeChat stated for its uncompressed content. */
export interface BillFileBytes {
  bytes: Uint8Array;
  hashType: string;
  hashValue: string;
}

export async function downloadTradeBillFileV3(
  client: WechatPayV3Client,
  input: { billDate: string; billType: BillType; subMchid?: string },
  maxBytes: number,
  timeoutMs?: number,
): Promise<Result<BillFileBytes, WechatPayError>> {
  const date = checkInput(billDateSchema, input.billDate);
  if (!date.ok) return date;
  const sub = checkInput(subMchidSchema.optional(), input.subMchid);
  if (!sub.ok) return sub;
  const query = new URLSearchParams({ bill_date: date.value, bill_type: input.billType, tar_type: "GZIP" });
  if (sub.value) query.set("sub_mchid", sub.value);
  const answer = await client.getJson(`/v3/bill/tradebill?${query}`);
  if (!answer.ok) return answer;
  const parsed = billAnswerSchema.safeParse(answer.value);
  if (!parsed.success)
    return err(
      wechatPayError(
        "malformed",
        "UNEXPECTED_RESPONSE",
        "tradebill answer without hash_type, hash_value and download_url",
      ),
    );
  const { hash_type: hashType, hash_value: hashValue, download_url: url } = parsed.data;
  const file = await client.downloadFile(url, maxBytes, timeoutMs);
  return file.ok ? ok({ bytes: file.value, hashType, hashValue }) : file;
}

export async function downloadRefundBillV3(
  client: WechatPayV3Client,
  input: { billDate: string; subMchid?: string },
): Promise<Result<DownloadedBill, WechatPayError>> {
  const file = await downloadTradeBillFileV3(client, { ...input, billType: "REFUND" }, MAX_BILL_BYTES);
  if (!file.ok) return file;
  const { bytes, hashType, hashValue } = file.value;
  const bill = readBillFile(bytes, { hashType, hashValue });
  return bill.ok ? ok({ bill: bill.value, hashType, hashValue }) : bill;
}
