import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import type { Refund } from "@/lib/db/schema";
import { MessageText } from "@/components/message-text";
import { describeCode } from "@/lib/wechatpay/errors";

export interface RefundPeople {
  requesterName: string | null;
  requesterEmail: string | null;
  approverName?: string | null;
  approverEmail?: string | null;
}

/** A person as the refund records them; null when no user is linked (a refund started by the system or an API key). */
const person = (name: string | null | undefined, email: string | null | undefined) =>
  name ? `${name} (${email})` : null;

/**
 * A refund's facts: on an order's refund card the essentials, on the refund's own page (`complete`) every date,
 * attempt and account as well. `children` adds the caller's own details (an approver's decision) before the last
 * error, which shows WeChat's code, what it means in the reader's language, and WeChat's own words.
 */
export function RefundFacts({
  refund,
  people,
  complete = false,
  className = "",
  children,
}: {
  refund: Refund;
  people: RefundPeople;
  complete?: boolean;
  className?: string;
  children?: ReactNode;
}) {
  const t = useTranslations("refunds.facts");
  return (
    <DetailList className={className}>
      {complete && (
        <Detail label={t("outRefundNo")} mono>
          {refund.outRefundNo}
        </Detail>
      )}
      <Detail label={t("refundId")} mono>
        {refund.refundId}
      </Detail>
      <Detail label={t("reason")} wide>
        {refund.reason}
      </Detail>
      <Detail label={t("requestedBy")}>{person(people.requesterName, people.requesterEmail)}</Detail>
      {complete && (
        <>
          <Detail label={t("approvedBy")}>{person(people.approverName, people.approverEmail)}</Detail>
          <Detail label={t("createdAt")}>
            <DateTime value={refund.createdAt} />
          </Detail>
          <Detail label={t("scheduledAt")}>
            <DateTime value={refund.scheduledAt} />
          </Detail>
          <Detail label={t("submittedAt")}>
            <DateTime value={refund.submittedAt} />
          </Detail>
          <Detail label={t("finishedAt")}>
            <DateTime value={refund.finishedAt} />
          </Detail>
          <Detail label={t("updatedAt")}>
            <DateTime value={refund.updatedAt} />
          </Detail>
          <Detail label={t("attempts")}>
            <span className="tabular-nums">{refund.attemptCount}</span>
            {refund.outcomeUnknown && <span className="ml-2 text-xs text-amber-800">{t("outcomeUnknown")}</span>}
          </Detail>
          <Detail label={t("channel")} mono>
            {refund.channel}
          </Detail>
          <Detail label={t("receivedInto")}>{refund.userReceivedAccount}</Detail>
          <Detail label={t("fundsAccount")} mono>
            {refund.fundsAccount}
          </Detail>
        </>
      )}
      {children}
      {refund.lastErrorCode && (
        <Detail label={t("lastError")} wide>
          <span className="text-red-700">
            <span className="font-mono text-xs">{refund.lastErrorCode}</span>{" "}
            <MessageText message={describeCode(refund.lastErrorCode).message} />
          </span>
          {refund.lastErrorMessage && (
            <span className="mt-0.5 block text-xs text-slate-500">
              {t("wechatSaid", { message: refund.lastErrorMessage })}
            </span>
          )}
        </Detail>
      )}
    </DetailList>
  );
}
