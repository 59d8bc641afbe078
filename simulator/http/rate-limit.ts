/**
 * WeChat's documented limits on refund applications, per merchant: 150 requests per second, and 6 erroneous
 * requests per second ("错误或无效请求频率限制：6qps"). Sliding one-second windows on the simulator's clock.
 */
import { violation, type Violation } from "../domain/violations";

export const REQUESTS_PER_SECOND = 150;
export const ERRORS_PER_SECOND = 6;
const WINDOW_MS = 1000;

export class RateLimiter {
  private readonly requests = new Map<string, number[]>();
  private readonly errors = new Map<string, number[]>();

  /** Counts the request when it is let through; a refused one does not count against the merchant again. */
  admit(mchid: string, now: number): Violation | undefined {
    if (recent(this.errors, mchid, now).length >= ERRORS_PER_SECOND) return violation("ERROR_RATE_LIMITED");
    const requests = recent(this.requests, mchid, now);
    if (requests.length >= REQUESTS_PER_SECOND) return violation("RATE_LIMITED");
    requests.push(now);
    return undefined;
  }

  /** An admitted request was answered with an error. */
  recordError(mchid: string, now: number): void {
    recent(this.errors, mchid, now).push(now);
  }

  clear(): void {
    this.requests.clear();
    this.errors.clear();
  }
}

function recent(windows: Map<string, number[]>, mchid: string, now: number): number[] {
  const kept = (windows.get(mchid) ?? []).filter((t) => t > now - WINDOW_MS);
  windows.set(mchid, kept);
  return kept;
}
