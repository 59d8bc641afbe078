import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkEndpointUrl, resolveDeliveryAddress, type Resolver, type UrlPolicy } from "./ssrf";

/** What one POST came to, for the delivery log. `error` is set whenever the answer is not a 2xx. */
export interface PostOutcome {
  status: number | null;
  excerpt: string | null;
  error: string | null;
  durationMs: number;
}

export interface PostOptions {
  policy: UrlPolicy;
  resolver: Resolver;
  /** The whole exchange, connection to last byte. */
  timeoutMs: number;
}

/** The start of the answer's body is kept for the delivery log; the rest is read and dropped. */
export const EXCERPT_BYTES = 1024;

/**
 * POST a body to a URL outside our network: the name is resolved and checked now, the connection goes to the checked
 * address (the Host header and TLS name stay the URL's), redirects are answers, never followed, and everything ends
 * after `timeoutMs`.
 */
export async function postOutside(
  urlText: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostOutcome> {
  const started = Date.now();
  const done = (o: Omit<PostOutcome, "durationMs">): PostOutcome => ({ ...o, durationMs: Date.now() - started });
  const checked = checkEndpointUrl(urlText, options.policy);
  if (!checked.ok) return done({ status: null, excerpt: null, error: checked.error });
  const resolved = await resolveDeliveryAddress(checked.url, options.policy, options.resolver);
  if (!resolved.ok) return done({ status: null, excerpt: null, error: resolved.error });
  const { address, family } = resolved.address;
  // Node asks for every address when it may race IPv4 and IPv6; either way it gets only the checked one.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all)
      (callback as (e: null, a: object[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const client = checked.url.protocol === "https:" ? https : http;
  return new Promise<PostOutcome>((resolve) => {
    const request = client.request(
      checked.url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept < EXCERPT_BYTES) {
            chunks.push(chunk.subarray(0, EXCERPT_BYTES - kept));
            kept += Math.min(chunk.length, EXCERPT_BYTES - kept);
          }
        });
        response.on("end", () => {
          clearTimeout(deadline);
          const status = response.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks).toString("utf8");
          const error =
            status >= 200 && status < 300
              ? null
              : status >= 300 && status < 400
                ? "REDIRECT_NOT_FOLLOWED"
                : `HTTP_${status}`;
          resolve(done({ status, excerpt, error }));
        });
        response.on("error", (e) => {
          clearTimeout(deadline);
          resolve(done({ status: response.statusCode ?? null, excerpt: null, error: `RESPONSE_ERROR: ${e.message}` }));
        });
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error("TIMEOUT")), options.timeoutMs);
    request.on("timeout", () => request.destroy(new Error("TIMEOUT")));
    request.on("error", (e) => {
      clearTimeout(deadline);
      resolve(
        done({ status: null, excerpt: null, error: e.message === "TIMEOUT" ? "TIMEOUT" : `CONNECTION: ${e.message}` }),
      );
    });
    request.end(body);
  });
}
