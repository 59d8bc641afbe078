import type { Db } from "../db/client";
import type { RefundBillSource, TradeBillSource } from "../reconciliation/bill-source";
import { err, ok, type Result } from "../result";
import { requireV3Credentials } from "./config";
import { wechatPayError, type WechatPayError } from "./errors";
import { v2CredentialsOf } from "./gateway";
import { merchantWechatPay, type MerchantWechatPay } from "./merchant-gateways";
import { recordGatewayCall } from "./recorded-gateway";
import { MAX_TRADE_BILL_BYTES, TRADE_BILL_TIMEOUT_MS } from "./bill-file";
import { downloadBillFileV2, downloadRefundBillV2 } from "./v2/bill";
import { downloadRefundBillV3, downloadTradeBillFileV3 } from "./v3/bill";
import { WechatPayV3Client } from "./v3/client";

type BillSource = RefundBillSource & TradeBillSource;

/** Bill downloads for a wired merchant, in its protocol; APIv3 verifies with the merchant's shared platform keys. */
export function createBillSource(wired: MerchantWechatPay): Result<BillSource, WechatPayError> {
  const { merchant, credentials, keys } = wired;
  const subMchid = merchant.subMchid ?? credentials.subMchid;
  if (merchant.apiVersion === "v2") {
    const v2 = v2CredentialsOf(credentials);
    if (!v2.ok) return v2;
    const refundBill: RefundBillSource["refundBill"] = async (billDate) => {
      const bill = await downloadRefundBillV2({ ...v2.value, subMchid }, { billDate });
      return bill.ok ? ok({ bill: bill.value }) : bill;
    };
    const tradeBillFile: TradeBillSource["tradeBillFile"] = async (billDate) => {
      const file = await downloadBillFileV2(
        { ...v2.value, subMchid },
        { billDate, billType: "ALL" },
        MAX_TRADE_BILL_BYTES,
        { timeoutMs: TRADE_BILL_TIMEOUT_MS },
      );
      return file.ok ? ok({ bytes: file.value }) : file;
    };
    return ok({ refundBill, tradeBillFile });
  }
  const v3 = requireV3Credentials(credentials);
  if (!v3.ok) return v3;
  if (!keys) return err(wechatPayError("config", "NO_PLATFORM_KEY", `no platform keys for merchant ${merchant.mchid}`));
  const client = new WechatPayV3Client({ credentials: v3.value, keys });
  return ok({
    refundBill: (billDate) => downloadRefundBillV3(client, { billDate, subMchid }),
    tradeBillFile: (billDate) =>
      downloadTradeBillFileV3(
        client,
        { billDate, billType: "ALL", subMchid },
        MAX_TRADE_BILL_BYTES,
        TRADE_BILL_TIMEOUT_MS,
      ),
  });
}

/**
 * A downloaded bill as evidence of the request: how many lines a refund bill had (they are in bill_lines), how many
 * bytes a trade bill file had (its payments become orders); never the content.
 */
function summarizeBill(value: unknown): unknown {
  const { bill, bytes } = value as { bill?: { lines?: unknown[] } | null; bytes?: Uint8Array };
  return bytes ? { bytes: bytes.byteLength } : { lines: bill?.lines?.length ?? null };
}

/**
 * The bill source of a merchant, from where its credentials live. Each request for a bill is recorded as evidence
 * (`gateway_exchanges`, operation `bill`); the file download itself is not observed, so no bill body is stored there.
 */
export async function billSourceForMerchant(db: Db, merchantId: string): Promise<Result<BillSource, WechatPayError>> {
  const wired = await merchantWechatPay(db, merchantId);
  if (!wired.ok) return wired;
  const source = createBillSource(wired.value);
  if (!source.ok) return source;
  const { merchant, credentials } = wired.value;
  const path = merchant.apiVersion === "v2" ? "/pay/downloadbill" : "/v3/bill/tradebill";
  const recorded = <T>(billDate: string, billType: string, call: () => Promise<Result<T, WechatPayError>>) =>
    recordGatewayCall(
      db,
      {
        merchantId,
        secrets: [credentials.apiV3Key, credentials.apiV2Key],
        operation: "bill",
        method: merchant.apiVersion === "v2" ? "POST" : "GET",
        path,
        input: { billDate, billType },
        summarize: summarizeBill,
      },
      call,
    );
  return ok({
    refundBill: (billDate) => recorded(billDate, "REFUND", () => source.value.refundBill(billDate)),
    tradeBillFile: (billDate) => recorded(billDate, "ALL", () => source.value.tradeBillFile(billDate)),
  });
}
