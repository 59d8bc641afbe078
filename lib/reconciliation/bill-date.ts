import { beijingDate, beijingDayStart } from "../beijing-time";

/** A bill date: a Beijing calendar day, `YYYY-MM-DD`. */
export const BILL_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The first and the first-after-last moment of a Beijing day. */
export function billDayBounds(billDate: string): { from: Date; to: Date } {
  const from = beijingDayStart(billDate);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** The newest day WeChat can have a bill for: yesterday, in Beijing. */
export function previousBillDate(now: Date): string {
  return beijingDate(new Date(now.getTime() - 86_400_000));
}

/** Whether a bill date is a real day before today in Beijing (WeChat has no bill for today or later). */
export function isPastBillDate(billDate: string, now: Date): boolean {
  if (!BILL_DATE_PATTERN.test(billDate)) return false;
  const { from } = billDayBounds(billDate);
  return !Number.isNaN(from.getTime()) && beijingDate(from) === billDate && billDate < beijingDate(now);
}
