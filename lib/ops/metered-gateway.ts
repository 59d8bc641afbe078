import type { RefundGateway } from "../refunds/gateway";
import type { Result } from "../result";
import type { WechatPayError } from "../wechatpay/errors";
import { observeGatewayCall } from "./metrics";

/** A gateway whose every call is counted by outcome (ok or the error code) and timed, for /api/metrics. */
export function metered(gateway: RefundGateway): RefundGateway {
  const call = async <T>(operation: string, send: () => Promise<Result<T, WechatPayError>>) => {
    const started = performance.now();
    const result = await send();
    observeGatewayCall(operation, result.ok ? "ok" : result.error.code, (performance.now() - started) / 1000);
    return result;
  };
  return {
    apply: (submission) => call("refund_apply", () => gateway.apply(submission)),
    query: (outRefundNo) => call("refund_query", () => gateway.query(outRefundNo)),
    applyAbnormal: (request) => call("abnormal_refund_apply", () => gateway.applyAbnormal(request)),
    queryTransaction: (ref) => call("transaction_query", () => gateway.queryTransaction(ref)),
    listRefunds: (transactionId) => call("refund_list", () => gateway.listRefunds(transactionId)),
  };
}
