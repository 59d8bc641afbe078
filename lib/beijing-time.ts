/** The console's times are Beijing time, as WeChat Pay's and its merchant platform's are. */
export const BEIJING_TIME_ZONE = "Asia/Shanghai";

const PARTS = { timeZone: BEIJING_TIME_ZONE, hourCycle: "h23" } as const;

// Chinese as the merchant platform writes it (2024-05-01 10:00:00); English with the month spelled out
// (May 1, 2024, 10:00:00), so nobody has to guess which number is the day.
const CHINESE = new Intl.DateTimeFormat("zh-CN", {
  ...PARTS,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const ENGLISH = new Intl.DateTimeFormat("en-US", {
  ...PARTS,
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** A moment in Beijing time, in the reader's locale (`zh-CN` reads Chinese; everything else English). */
export function formatBeijing(date: Date, locale: string): string {
  return locale.startsWith("zh") ? CHINESE.format(date).replace(/\//g, "-") : ENGLISH.format(date);
}

/** The Beijing calendar day of a moment, `YYYY-MM-DD` (Asia/Shanghai has no daylight saving time). */
export function beijingDate(date: Date): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** WeChat's plain Beijing time (`2021-10-24 18:30:07`, APIv2 and bills) as RFC 3339 with its offset. */
export function beijingPlainToIso(time: string | undefined): string | undefined {
  const match = time ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(time) : null;
  return match ? `${match[1]}T${match[2]}+08:00` : undefined;
}
