import { and, eq, gte, notInArray, sql } from "drizzle-orm";
import { beijingDate, beijingDayStart } from "../beijing-time";
import type { Transaction } from "../db/client";
import { refunds, users } from "../db/schema";
import { ok, type Result } from "../result";
import { checkDailyLimit, type DailyLimitViolation } from "./policy";
import { RELEASED_STATUSES } from "./status";

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
        // Refunds that no longer hold money do not use up an operator's day.
        notInArray(refunds.status, [...RELEASED_STATUSES]),
      ),
    );
  return checkDailyLimit(Number(used?.fen ?? 0), amountFen, user.limitFen);
}
