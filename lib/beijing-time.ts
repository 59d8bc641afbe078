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

/**
 * Beijing is UTC+8 all year (Asia/Shanghai has kept no daylight saving time since 1991), so its wall clock is a fixed
 * shift of UTC. Every conversion the console and the simulator make goes through the functions below.
 */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** `YYYY-MM-DDTHH:mm:ss.sss` on Beijing's wall clock. */
const wallClock = (ms: number) => new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 23);

/** The Beijing calendar day of a moment, `YYYY-MM-DD`. */
export function beijingDate(date: Date | number): string {
  return wallClock(typeof date === "number" ? date : date.getTime()).slice(0, 10);
}

/** The first moment of a Beijing day (`YYYY-MM-DD`); an Invalid Date for something that is not a day. */
export function beijingDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/**
 * RFC 3339 in Beijing time, the way WeChat writes times: `2018-06-08T10:34:56+08:00` (APIv3), or with milliseconds
 * `2026-11-23T18:00:00.000+08:00` (the merchant API).
 */
export function beijingIso(date: Date | number, options: { milliseconds?: boolean } = {}): string {
  const clock = wallClock(typeof date === "number" ? date : date.getTime());
  return `${options.milliseconds ? clock : clock.slice(0, 19)}+08:00`;
}

/** Beijing time without a zone, `2018-11-19 16:24:13`, as APIv2 and the bills write times. */
export function beijingPlain(date: Date | number): string {
  return wallClock(typeof date === "number" ? date : date.getTime())
    .slice(0, 19)
    .replace("T", " ");
}

/**
 * An APIv2 or bill time in Beijing without a zone — `2021-10-24 18:30:07` (refunds, bills) or `20141111170043`
 * (orderquery's time_end) — as an RFC 3339 instant; undefined if it is neither.
 */
export function fromBeijingPlain(time: unknown): string | undefined {
  if (typeof time !== "string") return undefined;
  const match =
    /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(time) ??
    /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(time);
  return match ? `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}+08:00` : undefined;
}
