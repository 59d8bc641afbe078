import type { Db } from "../db/client";
import { observeRateLimitWait } from "../ops/metrics";
import type { RefundGateway } from "../refunds/gateway";
import type { Result } from "../result";
import type { WechatPayError } from "./errors";
import { SharedRateLimiter } from "./rate-limit";

/**
 * A gateway that waits for the merchant's shared rate limit before every call and counts WeChat's error answers,
 * so that all instances together stay under 150 requests/s and back off when errors pass 6/s.
 */
export function rateLimited(db: Db, merchantId: string, gateway: RefundGateway): RefundGateway {
  const limiter = new SharedRateLimiter(db, `wechatpay:${merchantId}`);
  const call = async <T>(send: () => Promise<Result<T, WechatPayError>>) => {
    const waitStarted = performance.now();
    await limiter.acquire();
    observeRateLimitWait((performance.now() - waitStarted) / 1000);
    const result = await send();
    if (!result.ok && (result.error.kind === "business" || result.error.kind === "network"))
      await limiter.recordError();
    return result;
  };
  return {
    apply: (submission) => call(() => gateway.apply(submission)),
    query: (outRefundNo) => call(() => gateway.query(outRefundNo)),
    applyAbnormal: (request) => call(() => gateway.applyAbnormal(request)),
    queryTransaction: (ref) => call(() => gateway.queryTransaction(ref)),
    listRefunds: (transactionId) => call(() => gateway.listRefunds(transactionId)),
  };
}
