import { AsyncLocalStorage } from "node:async_hooks";
import { Agent, request as undiciRequest, type Dispatcher } from "undici";
import { err, ok, type Result } from "../result";
import { wechatPayError, type WechatPayError } from "./errors";
import { decodeUtf8Exact } from "../utf8";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** WeChat's answers are a few KiB; a larger body is refused rather than buffered. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
export const USER_AGENT = "wechatpay-refund-console/0.1 (node)";
/**
 * The connections to WeChat Pay (kept alive, per origin): a pool of their own rather than the process's global one,
 * which `fetch` sets up with Node's bundled undici when anything fetches first.
 */
const dispatcher = new Agent();

export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body text exactly as received (a BOM is kept), so that signatures can be checked over it. */
  body: string;
}

/**
 * Error codes that mean the connection never carried the request: DNS, refused or unreachable, connect timeout,
 * and TLS certificate failures (the handshake precedes the request). Sending again cannot duplicate anything.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** undici hides the system error in `cause`, sometimes in an AggregateError (one per address tried). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 4 || typeof e !== "object" || e === null) return;
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === "string") codes.push(code);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/**
 * Maps a failed exchange onto what the caller may do. Anything not known to have failed before sending is treated as
 * possibly delivered (`unknown`), because resending a refund that WeChat already accepted is the costly mistake.
 */
export function networkError(error: unknown): WechatPayError {
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === "TimeoutError" || name === "AbortError") {
    return wechatPayError("network", "TIMEOUT", "no complete answer before the timeout");
  }
  const codes = errorCodes(error);
  if (codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code))) {
    return wechatPayError("network", "CONNECTION_FAILED", `could not connect (${codes.join(", ")})`);
  }
  const message = (error as { message?: unknown } | undefined)?.message ?? error;
  const what = codes.length > 0 ? codes.join(", ") : String(message).slice(0, 120);
  return wechatPayError("network", "CONNECTION_RESET", `connection failed after it was opened (${what})`);
}

type ResponseBody = Dispatcher.ResponseData["body"];

/** Stops reading an answer and closes its connection; undici reports that abort as an error on the body: ours. */
function discard(body: ResponseBody): void {
  body.on("error", () => {});
  body.destroy();
}

/** Reads at most `limit` bytes of the body; undefined when it is larger (the rest is not read). */
async function readLimited(body: ResponseBody, declaredLength: string | null, limit: number) {
  const declared = Number(declaredLength ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    discard(body);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > limit) {
      discard(body);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** undici gives header values as strings, or arrays for repeated ones. */
function toHeaders(raw: Dispatcher.ResponseData["headers"]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** One exchange as it went over the wire, for the evidence trail (secrets are still in it: redact before storing). */
export interface ObservedExchange {
  request: HttpRequest;
  result: Result<HttpResponse, WechatPayError>;
  startedAt: Date;
  durationMs: number;
}

export type ExchangeObserver = (exchange: ObservedExchange) => void;

const observers = new AsyncLocalStorage<ExchangeObserver>();

/**
 * Runs `work` with every HTTP exchange it makes (in the same async context) reported to `observe`, so a caller that
 * knows the merchant and the refund can record the real request and answer. Code outside `work` reports to nobody.
 */
export function observeHttp<T>(observe: ExchangeObserver, work: () => Promise<T>): Promise<T> {
  return observers.run(observe, work);
}

/**
 * One HTTP exchange. Never throws: network failures become TIMEOUT (unknown), CONNECTION_RESET
 * (unknown) or CONNECTION_FAILED (retry). The timeout covers the whole exchange, body included.
 */
export async function sendHttp(request: HttpRequest): Promise<Result<HttpResponse, WechatPayError>> {
  const observe = observers.getStore();
  if (!observe) return sendOnce(request);
  const startedAt = new Date();
  const result = await sendOnce(request);
  try {
    observe({ request, result, startedAt, durationMs: Date.now() - startedAt.getTime() });
  } catch {
    // An observer's failure is the observer's business: the exchange itself has happened and is returned as is.
  }
  return result;
}

async function sendOnce(request: HttpRequest): Promise<Result<HttpResponse, WechatPayError>> {
  const answer = await sendHttpBytes(request);
  if (!answer.ok) return answer;
  const { status, headers, bytes } = answer.value;
  const body = decodeUtf8Exact(bytes);
  if (body === undefined)
    return err(wechatPayError("malformed", "UNEXPECTED_RESPONSE", "answer body is not UTF-8", status));
  return ok({ status, headers, body });
}

export interface HttpBytesResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/**
 * One exchange with the body as bytes, for files (bills, possibly gzipped); not reported to observers. On undici's
 * `request` rather than global `fetch` (undici too, with the same error codes): no WHATWG request, response and stream
 * objects, and a quarter of fetch's CPU per exchange (ADR 028) — a bulk run makes 150 a second.
 */
export async function sendHttpBytes(request: HttpRequest): Promise<Result<HttpBytesResponse, WechatPayError>> {
  const limit = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let status: number;
  let headers: Headers;
  let bytes: Uint8Array | undefined;
  try {
    // undici's `request` follows no redirect: one is not part of the API, and following it would replay a signed
    // request to another place. A 3xx comes back as it is.
    const response = await undiciRequest(request.url, {
      method: request.method,
      headers: { "User-Agent": USER_AGENT, ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      dispatcher,
    });
    status = response.statusCode;
    headers = toHeaders(response.headers);
    bytes = await readLimited(response.body, headers.get("content-length"), limit);
  } catch (error) {
    return err(networkError(error));
  }
  if (bytes === undefined) {
    return err(wechatPayError("malformed", "BODY_TOO_LARGE", `answer exceeds ${limit} bytes`, status));
  }
  return ok({ status, headers, bytes });
}
