import { and, eq, gte, notInArray, sql } from "drizzle-orm";
import type { Transaction } from "../db/client";
import { refunds, users, type RefundStatus } from "../db/schema";
import type { BilingualText } from "../i18n-text";
import { formatFen } from "../money";
import { err, ok, type Result } from "../result";
import { beijingDate, beijingDayStart } from "../beijing-time";

/** Refunds that no longer hold money do not use up an operator's day. */
const RELEASED: RefundStatus[] = ["FAILED", "REJECTED", "CLOSED"];

export interface DailyLimitViolation {
  code: "DAILY_LIMIT_EXCEEDED";
  message: BilingualText;
}

/** Whether `amountFen` fits what is left of an operator's daily limit (null: no limit). */
export function checkDailyLimit(
  usedTodayFen: number,
  amountFen: number,
  limitFen: number | null,
): Result<void, DailyLimitViolation> {
  if (limitFen === null || usedTodayFen + amountFen <= limitFen) return ok(undefined);
  const left = Math.max(0, limitFen - usedTodayFen);
  return err({
    code: "DAILY_LIMIT_EXCEEDED",
    message: {
      zh: `超出您的每日退款限额：今日已申请 ${formatFen(usedTodayFen)}，限额 ${formatFen(limitFen)}，本次 ${formatFen(amountFen)}，今日剩余额度 ${formatFen(left)}。`,
      en: `Over your daily refund limit: ${formatFen(usedTodayFen)} requested today, limit ${formatFen(limitFen)}, this refund ${formatFen(amountFen)}, ${formatFen(left)} left today.`,
    },
  });
}

/**
 * Check a user's daily limit inside the transaction that records the refund. The user's row is locked first, so two
 * requests by one operator at the same moment are counted one after the other and cannot both slip under the limit.
 */
export async function checkDailyLimitLocked(
  tx: Transaction,
  userId: string,
  amountFen: number,
  now: Date,
): Promise<Result<void, DailyLimitViolation>> {
  const [user] = await tx
    .select({ limitFen: users.dailyRefundLimitFen })
    .from(users)
    .where(eq(users.id, userId))
    .for("update");
  if (!user || user.limitFen === null) return ok(undefined);
  const [used] = await tx
    .select({ fen: sql<string>`coalesce(sum(${refunds.amountFen}), 0)` })
    .from(refunds)
    .where(
      and(
        eq(refunds.requestedBy, userId),
        gte(refunds.createdAt, beijingDayStart(beijingDate(now))),
        notInArray(refunds.status, RELEASED),
      ),
    );
  return checkDailyLimit(Number(used?.fen ?? 0), amountFen, user.limitFen);
}
