import "server-only";
import { authenticateApiKey } from "@/lib/api-keys/keys";
import { clientAddress } from "@/lib/client-address";
import { getDb } from "@/lib/db/client";
import { trustedProxies } from "@/lib/env";
import { countThisMinute } from "@/lib/db/minute-counters";
import { log } from "@/lib/log";
import type { ApiContext } from "@/lib/merchant-api/context";
import { apiError, type ApiReply } from "@/lib/merchant-api/errors";

/** Requests to the merchant API are small JSON objects; anything bigger is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Requests per key and minute, across every instance: a shop's back end, not a flood, is what the API serves. */
export const REQUESTS_PER_KEY_PER_MINUTE = 600;

export function send(reply: ApiReply, headers: Record<string, string> = {}): Response {
  return Response.json(reply.body, {
    status: reply.status,
    headers: { "Cache-Control": "no-store", ...(reply.replayed ? { "Idempotent-Replayed": "true" } : {}), ...headers },
  });
}

function clientIp(headers: Headers): string | null {
  return clientAddress((name) => headers.get(name), trustedProxies());
}

/**
 * The caller of `Authorization: Bearer <key>`, or the answer to give instead: 401 (every reason for refusal looks the
 * same), or 429 with `Retry-After` past the key's requests this minute.
 */
export async function authenticate(request: Request): Promise<ApiContext | Response> {
  const token = /^Bearer +(\S+) *$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const db = getDb();
  const principal = token ? await authenticateApiKey(db, token) : null;
  if (principal) {
    const [count] = await countThisMinute(db, [`api-key:${principal.keyId}`]);
    if (count! <= REQUESTS_PER_KEY_PER_MINUTE) return { principal, ip: clientIp(request.headers) };
    const message = `At most ${REQUESTS_PER_KEY_PER_MINUTE} requests a minute per key; retry after the Retry-After seconds.`;
    return send(apiError("RATE_LIMITED", message), { "Retry-After": String(60 - new Date().getUTCSeconds()) });
  }
  // RFC 6750: say which scheme is expected, and that a presented token was not accepted.
  const challenge = token ? 'Bearer realm="merchant-api", error="invalid_token"' : 'Bearer realm="merchant-api"';
  return send(apiError("UNAUTHENTICATED", "Send a valid, unrevoked API key as `Authorization: Bearer <key>`."), {
    "WWW-Authenticate": challenge,
  });
}

const TOO_LARGE = () =>
  send(apiError("PAYLOAD_TOO_LARGE", `The request body must be at most ${MAX_BODY_BYTES} bytes.`));
const INVALID_JSON = () => send(apiError("INVALID_JSON", "The request body must be a JSON object in UTF-8."));

/**
 * The JSON body, read up to the limit. Content-Length is checked first but not trusted: a chunked or lying body is
 * cut off as soon as it passes the limit.
 */
export async function readJson(
  request: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return { ok: false, response: TOO_LARGE() };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        return { ok: false, response: TOO_LARGE() };
      }
      chunks.push(chunk.value);
    }
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: INVALID_JSON() };
  }
}

/** Every route of the API: an unexpected failure is a JSON 500 in the API's error shape, logged, never a stack trace. */
export function apiRoute<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    try {
      return await handler(request, ...rest);
    } catch (error) {
      log.error(
        { err: error, method: request.method, path: new URL(request.url).pathname },
        "merchant API request failed",
      );
      return send(
        apiError(
          "INTERNAL_ERROR",
          "Something went wrong on our side. Retrying with the same Idempotency-Key or out_refund_no is safe.",
        ),
      );
    }
  };
}
