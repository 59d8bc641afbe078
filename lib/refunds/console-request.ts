import { eq } from "drizzle-orm";
import { appendAudit } from "../audit/append";
import { verifyPassword } from "../auth/password";
import type { Database } from "../db/client";
import { getOrderDetail } from "../db/queries/orders";
import { users, type Refund } from "../db/schema";
import { recheckBeforeRefund } from "../orders/recheck";
import { err, type Result } from "../result";
import { reasonFits, refundReasonText } from "../wechatpay/reason-limit";
import { approvalReason, checkNewRefund } from "./policy";
import { queueCommittedRefund, type EnqueueSubmission } from "./queue";
import { msg } from "../message";
import { listActiveReasons } from "./reasons";
import { requestRefund, type RefundRequestError, type RequestContext } from "./request";
import type { GatewayResolver } from "./submit";

/** What an operator asks for in the order page's refund form. */
export interface ConsoleRefundInput {
  merchantId: string;
  orderId: number;
  amountFen: number;
  /** One of the reasons an admin keeps (refund_reasons), and the operator's note to the payer. */
  reason: string;
  note: string;
  fundsAccount?: "AVAILABLE";
  /** The operator's password, asked again for a refund that will wait for an approver. */
  password: string;
}

export interface ConsoleRefundDependencies {
  resolveGateway: GatewayResolver;
  enqueue: EnqueueSubmission;
  /** An imported order whose data is older than this is asked about at WeChat again first. */
  recheckAfterMs: number;
}

/** Why a form's request was not recorded: a field to correct, a wrong password, or a rule of the refund itself. */
export type ConsoleRefundError =
  | { code: "REASON_NOT_OFFERED" | "NOTE_TOO_LONG" | "PASSWORD_REQUIRED" }
  | { code: "REAUTH_FAILED"; message: RefundRequestError["message"] }
  | RefundRequestError;

/**
 * An operator's refund from the console: the reason must be one still offered; an imported order is asked about at
 * WeChat again when its data is old (refunds made meanwhile in the merchant platform then count); a refund that will
 * wait for an approver needs the operator's password again (a wrong one is audited); then the refund is recorded
 * (lib/refunds/request.ts, one transaction) and, once committed, a PENDING one is queued for WeChat.
 */
export async function requestRefundFromConsole(
  db: Database,
  deps: ConsoleRefundDependencies,
  input: ConsoleRefundInput,
  context: Omit<RequestContext, "userId"> & { userId: string },
): Promise<Result<Refund, ConsoleRefundError>> {
  // A retired reason (or a forged one) is not offered any more: the payer sees only reasons an admin keeps.
  if (!(await listActiveReasons(db)).some((r) => r.label === input.reason)) return err({ code: "REASON_NOT_OFFERED" });
  const reason = refundReasonText(input.reason, input.note);
  if (!reasonFits(reason)) return err({ code: "NOTE_TOO_LONG" });

  await recheckBeforeRefund(
    db,
    deps.resolveGateway,
    { merchantId: input.merchantId, orderId: input.orderId },
    { maxAgeMs: deps.recheckAfterMs, now: context.now },
  );

  // Checked before the request (outside its lock): if the order's sums change meanwhile, the refund still waits for
  // an approver, which is the safeguard that matters. One refused anyway (a disabled merchant, a broken rule) is
  // refused for that reason, without asking for the password.
  const order = await getOrderDetail(db, input.merchantId, input.orderId);
  const now = context.now ?? new Date();
  if (
    order?.merchantActive &&
    checkNewRefund(order, input.amountFen, now).ok &&
    approvalReason(order, input.amountFen, order.approvalThresholdFen)
  ) {
    if (!input.password) return err({ code: "PASSWORD_REQUIRED" });
    const [own] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, context.userId));
    if (!own || !(await verifyPassword(own.passwordHash, input.password))) {
      await appendAudit(
        db,
        context.actor,
        "refund.reauth_failed",
        { type: "order", id: input.orderId, merchantId: input.merchantId },
        { amountFen: input.amountFen },
      );
      return err({
        code: "REAUTH_FAILED",
        message: msg("outcomes.refunds.consoleRequest.REAUTH_FAILED"),
      });
    }
  }

  const result = await requestRefund(
    db,
    {
      merchantId: input.merchantId,
      orderId: input.orderId,
      amountFen: input.amountFen,
      reason,
      fundsAccount: input.fundsAccount,
    },
    context,
  );
  if (result.ok) await queueCommittedRefund(deps.enqueue, result.value);
  return result;
}
