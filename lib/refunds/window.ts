const DAY_MS = 86_400_000;

export interface RefundWindow {
  closesAt: Date;
  /** Whole days left, rounded up so that the last day still reads "1"; 0 once closed. */
  daysLeft: number;
  closed: boolean;
}

/**
 * WeChat Pay refuses refunds of orders paid more than a year ago (v2 TRADE_OVERDUE). A calendar year, not 365 days:
 * Beijing keeps no daylight saving, so adding the year in UTC lands on the same Beijing wall-clock time.
 */
export function refundWindow(paidAt: Date, now: Date): RefundWindow {
  const closesAt = new Date(paidAt);
  closesAt.setUTCFullYear(closesAt.getUTCFullYear() + 1);
  const leftMs = closesAt.getTime() - now.getTime();
  return { closesAt, daysLeft: leftMs > 0 ? Math.ceil(leftMs / DAY_MS) : 0, closed: leftMs <= 0 };
}
