/** Deliveries are retried for three days from their first attempt (or from a resend), then given up. */
export const RETRY_WINDOW_MS = 3 * 24 * 3_600_000;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 3_600_000;
/** ±20 %: endpoints that failed together do not all come back at the same second. */
const JITTER = 0.2;

/**
 * The wait after failed attempt `attempt` (1-based): 30 s doubling each time, at most 6 h, with jitter.
 * `random` is Math.random's [0, 1); 0.5 gives the schedule without jitter.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** When to try again after a failure, or null: the next try would fall outside the three days, so give up now. */
export function nextAttemptAt(firstAttemptAt: Date, attempt: number, now: Date, random?: () => number): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempt, random));
  return next.getTime() - firstAttemptAt.getTime() > RETRY_WINDOW_MS ? null : next;
}
