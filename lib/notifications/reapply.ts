import { and, eq } from "drizzle-orm";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database } from "../db/client";
import { notifications, type Notification as StoredNotification } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { configuredMerchants, type MerchantWechatPay } from "../wechatpay/merchant-gateways";
import { refundResourceSchema } from "../wechatpay/v3/schemas";
import type { Settled } from "./answer";
import { openV2 } from "./open";
import type { CallbackOptions } from "./receive";
import {
  applyRefundNotice,
  readNoticeRefund,
  confirmByQuery,
  v2RefundNotice,
  v3RefundNotice,
  type RefundNotice,
} from "./refund";

export type ReapplyError = {
  code: "NOT_FOUND" | "NOT_REAPPLICABLE" | "MERCHANT_NOT_CONFIGURED" | "REFUND_NOT_FOUND" | "QUERY_FAILED";
  message: Message;
};

const failure = (code: ReapplyError["code"], message: Message) => err<ReapplyError>({ code, message });

/** The notice a stored, verified refund callback carried. */
function storedNotice(stored: StoredNotification, wechatPay: MerchantWechatPay): RefundNotice | undefined {
  if (stored.protocol === "v2") {
    // APIv2 is re-opened from the raw body with the merchant's key (and confirmed by query again before applying).
    const opened = openV2([wechatPay], Buffer.from(stored.rawBody, "utf8"));
    return opened.ok ? v2RefundNotice(wechatPay.merchant.id, opened.value.notification) : undefined;
  }
  // APIv3: the stored resource was decrypted from a verified callback; its signature cannot be checked again later
  // (the timestamp window has passed), so the row's verification result is what vouches for it.
  const resource = refundResourceSchema.safeParse(stored.decrypted);
  if (!resource.success || !stored.notificationId || !stored.eventType?.startsWith("REFUND.")) return undefined;
  return v3RefundNotice(wechatPay.merchant.id, {
    id: stored.notificationId,
    eventType: stored.eventType,
    resource: resource.data,
  });
}

/**
 * An admin's re-apply of a refund callback that arrived before its refund was known (`unmatched`): once the refund
 * exists, the stored verified notification goes through the same exactly-once path as a live one. The row keeps
 * the answer WeChat got; its outcome and the audit entry `notification.reapplied` commit together.
 */
export async function reapplyNotification(
  db: Database,
  merchantId: string,
  notificationId: number,
  actor: AuditActor,
  options: Pick<CallbackOptions, "merchants"> = {},
): Promise<Result<Settled, ReapplyError>> {
  const [stored] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, notificationId), eq(notifications.merchantId, merchantId)));
  if (!stored) return failure("NOT_FOUND", msg("outcomes.notifications.reapply.NOT_FOUND"));
  if (stored.verification !== "verified" || stored.outcome !== "unmatched" || !stored.merchantId) {
    return failure("NOT_REAPPLICABLE", msg("outcomes.notifications.reapply.NOT_REAPPLICABLE"));
  }
  const candidates = await (options.merchants ?? (() => configuredMerchants(db)))();
  const wechatPay = candidates.find((c) => c.merchant.id === stored.merchantId);
  if (!wechatPay) {
    return failure("MERCHANT_NOT_CONFIGURED", msg("outcomes.notifications.reapply.MERCHANT_NOT_CONFIGURED"));
  }
  const notice = storedNotice(stored, wechatPay);
  if (!notice) {
    return failure("NOT_REAPPLICABLE", msg("outcomes.notifications.reapply.CONTENT_UNREADABLE"));
  }
  const refund = await readNoticeRefund(db, notice);
  if (!refund) {
    return failure(
      "REFUND_NOT_FOUND",
      msg("outcomes.notifications.reapply.REFUND_NOT_FOUND", { outRefundNo: notice.outRefundNo }),
    );
  }
  let report = notice.report;
  if (notice.confirm) {
    const confirmed = await confirmByQuery(db, notice, wechatPay.gateway, refund);
    if (!confirmed.ok && confirmed.error.outcome === "error") {
      return failure(
        "QUERY_FAILED",
        msg("outcomes.notifications.reapply.QUERY_FAILED", { reason: String(confirmed.error.reason) }),
      );
    }
    // A refusal (another merchant's refund, another amount) is found again under the lock and recorded there.
    if (confirmed.ok) report = confirmed.value;
  }
  const row = { id: stored.id, protocol: stored.protocol, recordAnswer: false };
  const settled = await applyRefundNotice(db, row, notice, report, (tx, s) =>
    appendAudit(
      tx,
      actor,
      "notification.reapplied",
      { type: "notification", id: stored.id, merchantId: stored.merchantId },
      {
        outRefundNo: notice.outRefundNo,
        notificationId: notice.notificationId,
        outcome: s.outcome,
        ...(s.code ? { code: s.code } : {}),
      },
    ),
  );
  return ok(settled);
}
