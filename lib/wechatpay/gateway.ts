import type {
  AbnormalRefundRequest,
  GatewayRefund,
  GatewayTransaction,
  RefundGateway,
  RefundSubmission,
} from "../refunds/gateway";
import { err, ok, type Result } from "../result";
import { requireV3Credentials, type MerchantCredentials } from "./config";
import { wechatPayError, type WechatPayError } from "./errors";
import { applyRefundV2, queryRefundV2, type V2Credentials } from "./v2/client";
import { listRefundsV2, queryOrderV2, type V2OrderQuery } from "./v2/queries";
import { createV3Client } from "./v3/client";
import type { PlatformKeyStore } from "./v3/key-store";
import type { Refund, TransactionQuery } from "./v3/schemas";
import { fromBeijingPlain } from "../beijing-time";

/**
 * A merchant's connection to WeChat Pay: the refund gateway and, for APIv3, the platform key store it verifies
 * answers with. Callbacks are verified with the same store, so its certificate cache and once-a-minute refresh
 * limit are shared.
 */
export interface WiredGateway {
  gateway: RefundGateway;
  keys?: PlatformKeyStore;
}

function fromV3(refund: Refund): GatewayRefund {
  return {
    refundId: refund.refund_id,
    status: refund.status,
    channel: refund.channel,
    userReceivedAccount: refund.user_received_account,
    fundsAccount: refund.funds_account,
    successTime: refund.success_time,
  };
}

function transactionFromV3(t: TransactionQuery): GatewayTransaction {
  return {
    outTradeNo: t.out_trade_no,
    transactionId: t.transaction_id,
    tradeState: t.trade_state,
    tradeStateDesc: t.trade_state_desc,
    totalFen: t.amount?.total,
    payerTotalFen: t.amount?.payer_total,
    currency: t.amount?.currency,
    // Partner mode: the payer as the sub-merchant's app knows them, else as the service provider's.
    payerOpenid: t.payer?.openid ?? t.payer?.sub_openid ?? t.payer?.sp_openid,
    successTime: t.success_time,
    attach: t.attach,
  };
}

function transactionFromV2(t: V2OrderQuery): GatewayTransaction {
  return {
    outTradeNo: t.out_trade_no,
    transactionId: t.transaction_id,
    tradeState: t.trade_state,
    tradeStateDesc: t.trade_state_desc,
    totalFen: t.total_fee,
    payerTotalFen: t.cash_fee,
    currency: t.fee_type ?? (t.total_fee === undefined ? undefined : "CNY"),
    payerOpenid: t.sub_openid ?? t.openid,
    successTime: fromBeijingPlain(t.time_end),
    attach: t.attach,
  };
}

function v3Gateway(credentials: MerchantCredentials): Result<WiredGateway, WechatPayError> {
  const checked = requireV3Credentials(credentials);
  if (!checked.ok) return checked;
  const { client, keys } = createV3Client(checked.value);
  const mapped = async (call: Promise<Result<Refund, WechatPayError>>) => {
    const result = await call;
    return result.ok ? ok(fromV3(result.value)) : result;
  };
  const gateway: RefundGateway = {
    apply: (s: RefundSubmission) =>
      mapped(
        client.applyRefund({
          transaction_id: s.transactionId,
          out_refund_no: s.outRefundNo,
          reason: s.reason || undefined,
          notify_url: s.notifyUrl,
          funds_account: s.fundsAccount,
          amount: { refund: s.amountFen, total: s.totalFen, currency: "CNY" },
        }),
      ),
    query: (outRefundNo: string) => mapped(client.queryRefund(outRefundNo)),
    applyAbnormal: (r: AbnormalRefundRequest) =>
      mapped(
        client.applyAbnormalRefund(r.refundId, {
          out_refund_no: r.outRefundNo,
          type: r.type,
          bank_type: r.bankType,
          bank_account: r.bankAccount,
          real_name: r.realName,
        }),
      ),
    queryTransaction: async (ref) => {
      const result = await client.queryTransaction(ref);
      return result.ok ? ok(transactionFromV3(result.value)) : result;
    },
    listRefunds: async () => ok(null),
  };
  return ok({ gateway, keys });
}

/** The APIv2 client's view of a merchant's credentials (refunds, and bills). */
export function v2CredentialsOf(credentials: MerchantCredentials): Result<V2Credentials, WechatPayError> {
  if (!credentials.apiV2Key || !credentials.appid) {
    return err(wechatPayError("config", "CONFIG_MISSING", "APIv2 needs WECHATPAY_APPID and WECHATPAY_APIV2_KEY"));
  }
  return ok({
    mchid: credentials.mchid,
    appid: credentials.appid,
    apiKey: credentials.apiV2Key,
    signType: credentials.signType,
    p12: credentials.p12,
    p12Password: credentials.p12Password,
    baseUrl: credentials.baseUrl,
    subMchid: credentials.subMchid,
  });
}

function v2Gateway(credentials: MerchantCredentials): Result<WiredGateway, WechatPayError> {
  const checked = v2CredentialsOf(credentials);
  if (!checked.ok) return checked;
  const v2 = checked.value;
  const gateway: RefundGateway = {
    apply: async (s: RefundSubmission) => {
      const result = await applyRefundV2(v2, {
        transactionId: s.transactionId,
        outRefundNo: s.outRefundNo,
        totalFee: s.totalFen,
        refundFee: s.amountFen,
        refundDesc: s.reason || undefined,
        notifyUrl: s.notifyUrl,
        refundAccount: s.fundsAccount === "AVAILABLE" ? "REFUND_SOURCE_RECHARGE_FUNDS" : undefined,
      });
      // APIv2 answers "accepted" without a status: the refund is processing until the callback or a query says more.
      return result.ok
        ? ok({ refundId: result.value.refund_id, status: "PROCESSING", channel: result.value.refund_channel })
        : result;
    },
    query: async (outRefundNo: string) => {
      const result = await queryRefundV2(v2, { outRefundNo });
      if (!result.ok) return result;
      const r = result.value.refund;
      return ok({
        refundId: r.refund_id,
        status: r.status,
        channel: r.refund_channel,
        userReceivedAccount: r.refund_recv_accout,
        successTime: fromBeijingPlain(r.refund_success_time),
      });
    },
    applyAbnormal: async () =>
      err(wechatPayError("config", "NOT_SUPPORTED", "abnormal-refund applications exist only in APIv3")),
    queryTransaction: async (ref) => {
      const result = await queryOrderV2(v2, ref);
      return result.ok ? ok(transactionFromV2(result.value)) : result;
    },
    listRefunds: async (transactionId) => {
      const result = await listRefundsV2(v2, { transactionId });
      if (!result.ok) return result;
      return ok(
        result.value.map((r) => ({
          outRefundNo: r.out_refund_no,
          refundId: r.refund_id,
          amountFen: r.refund_fee,
          status: r.status,
          channel: r.refund_channel,
          userReceivedAccount: r.refund_recv_accout,
          successTime: fromBeijingPlain(r.refund_success_time),
        })),
      );
    },
  };
  return ok({ gateway });
}

/** The gateway for a merchant's configured protocol, with the APIv3 platform keys when the protocol is APIv3. */
export function createRefundGateway(
  credentials: MerchantCredentials,
  apiVersion: "v3" | "v2",
): Result<WiredGateway, WechatPayError> {
  return apiVersion === "v3" ? v3Gateway(credentials) : v2Gateway(credentials);
}
