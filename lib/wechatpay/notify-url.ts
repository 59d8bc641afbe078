import { z } from "zod";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** Whether a URL's host is this machine: only a simulator here could be there, never WeChat Pay or its callers. */
export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

/**
 * What is wrong with a notify_url for WeChat Pay, or undefined. WeChat calls it from the internet: https on the
 * default port 443, with no query string (a query is refused outright, in APIv2 and APIv3). Plain http is accepted
 * only for a loopback host, which only a simulator on the same machine can call.
 */
export function notifyUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.search || text.includes("?")) return "must not carry a query string";
  if (url.hash) return "must not carry a fragment";
  if (LOOPBACK.test(url.hostname))
    return url.protocol === "https:" || url.protocol === "http:" ? undefined : "must be http(s)";
  if (url.protocol !== "https:") return "must be https: WeChat Pay calls it over TLS";
  if (url.port !== "") return "must use the default port 443";
  return undefined;
}

/** notify_url in a request to WeChat Pay, for both protocol versions. */
export const notifyUrlSchema = z
  .string()
  .max(256)
  .superRefine((url, ctx) => {
    const problem = notifyUrlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Where WeChat Pay sends refund results: REFUND_NOTIFY_URL, else the console's own route under APP_URL. */
export function refundNotifyUrlFrom(env: { REFUND_NOTIFY_URL?: string; APP_URL: string }): string {
  return env.REFUND_NOTIFY_URL ?? new URL("/api/notify/refund", env.APP_URL).toString();
}
