/**
 * APIv2 下载对账单 `POST /pay/downloadbill`: the answer is the bill file itself (gzip when tar_type=GZIP, whose CRC is
 * then the only integrity check: APIv2 states no hash), or an XML refusal such as `return_msg No Bill Exist`. No
 * client certificate is needed. The refund bill is read whole; the ALL bill is handed on as bytes to be streamed.
 */
import { err, ok, type Result } from "../../result";
import { MAX_BILL_BYTES, isGzip, readBillFile, type BillType, type ParsedBill } from "../bill-file";
import { wechatPayError, type WechatPayError } from "../errors";
import { readAnswer, sendSignedV2, type V2CallOptions, type V2Credentials } from "./client";

/** WeChat's return_msg for a bill that is not there (yet), as the APIv3 codes name it. */
const MISSING: [RegExp, string][] = [
  [/no\s*bill\s*exist/i, "NO_STATEMENT_EXIST"],
  [/bill\s*creating/i, "STATEMENT_CREATING"],
];

export async function downloadBillFileV2(
  credentials: V2Credentials,
  input: { billDate: string; billType: BillType },
  maxBytes: number,
  options: V2CallOptions = {},
): Promise<Result<Uint8Array, WechatPayError>> {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.billDate);
  if (!date) return err(wechatPayError("malformed", "REQUEST_INVALID", "bill_date: YYYY-MM-DD"));
  const fields = { bill_date: `${date[1]}${date[2]}${date[3]}`, bill_type: input.billType, tar_type: "GZIP" };
  const raw = await sendSignedV2(credentials, "/pay/downloadbill", { ...options, maxBytes }, fields);
  if (!raw.ok) return raw;
  const { status, body } = raw.value;
  if (status !== 200) return err(wechatPayError("network", "UNEXPECTED_RESPONSE", `HTTP ${status}`, status));
  if (isGzip(body) || !body.subarray(0, 64).toString("utf8").trimStart().startsWith("<xml")) return ok(body);
  const answer = readAnswer(body, credentials);
  if (answer.ok)
    return err(wechatPayError("malformed", "UNEXPECTED_RESPONSE", "downloadbill answered XML without a bill"));
  const missing = MISSING.find(([pattern]) => pattern.test(answer.error.detail))?.[1];
  return err(missing ? wechatPayError("business", missing, answer.error.detail) : answer.error);
}

export async function downloadRefundBillV2(
  credentials: V2Credentials,
  input: { billDate: string },
  options: V2CallOptions = {},
): Promise<Result<ParsedBill, WechatPayError>> {
  const file = await downloadBillFileV2(credentials, { ...input, billType: "REFUND" }, MAX_BILL_BYTES, options);
  return file.ok ? readBillFile(file.value) : file;
}
