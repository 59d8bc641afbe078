import { buildNotification } from "../../lib/wechatpay/v3/notification";
import { API_V3_KEY, MCHID, PLATFORM } from "../../tests/fixtures/notifications";
import type { PreparedRequest } from "./load";

/**
 * A REFUND.SUCCESS callback for refund `<prefix>R<n>` of order `<prefix>T<n>` (10.00 yuan, refund 6.00), encrypted
 * with the bench merchant's APIv3 key and signed with the platform key exactly as WeChat Pay posts it.
 */
export function refundSuccessCallback(prefix: string, n: number): PreparedRequest {
  const built = buildNotification({
    eventType: "REFUND.SUCCESS",
    summary: "退款成功",
    originalType: "refund",
    resource: {
      mchid: MCHID,
      out_trade_no: `${prefix}T${n}`,
      transaction_id: `4200${String(n).padStart(24, "0")}`,
      out_refund_no: `${prefix}R${n}`,
      refund_id: `5030${String(n).padStart(24, "0")}`,
      refund_status: "SUCCESS",
      success_time: "2026-11-23T10:00:00+08:00",
      user_received_account: "支付用户零钱",
      amount: { total: 1000, refund: 600, payer_total: 1000, payer_refund: 600 },
    },
    apiV3Key: API_V3_KEY,
    signer: PLATFORM,
  });
  if (!built.ok) throw new Error(built.error.code);
  return {
    method: "POST",
    path: "/api/notify/refund",
    headers: { ...built.value.headers, "content-type": "application/json" },
    body: built.value.body,
  };
}

/** Callbacks for refunds 1…count of a prefix. */
export function refundSuccessCallbacks(prefix: string, count: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => refundSuccessCallback(prefix, i + 1));
}
