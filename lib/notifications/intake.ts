import { MAX_NOTIFICATION_BYTES } from "../wechatpay/v3/notification";

export type CallbackProtocol = "v3" | "v2";

/** A callback as it arrived, before anything has interpreted its body. */
export interface ReceivedCallback {
  protocol: CallbackProtocol;
  /** For signature verification: exactly as received. */
  headers: Headers;
  /** For the record: without credentials a misrouted browser or proxy may have attached. */
  storedHeaders: Record<string, string>;
  /** The exact bytes, or undefined when the body was refused for its size (then never read in full). */
  body: Uint8Array | undefined;
  /** The body as text for the `notifications` row; never what is verified or parsed. */
  storedBody: string;
}

/** Headers never worth keeping: they identify a session or an account, not WeChat's callback. */
const DROPPED_HEADERS = new Set(["cookie", "authorization", "proxy-authorization"]);

/**
 * Reads a callback's body up to 64 KiB. A Content-Length above the limit is refused before reading; otherwise bytes
 * are counted as they arrive, so a body without (or lying about) its length cannot make us buffer more.
 */
export async function readCallback(request: Request): Promise<ReceivedCallback> {
  const body = await readBounded(request, MAX_NOTIFICATION_BYTES);
  const storedHeaders: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name)) storedHeaders[name] = value;
  });
  return {
    protocol: detectProtocol(request.headers, body),
    headers: request.headers,
    storedHeaders,
    body,
    storedBody: body ? storableText(body) : "",
  };
}

async function readBounded(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length")) > limit) {
    await request.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * APIv3 callbacks are signed JSON, APIv2 ones unsigned XML. A body too large to read is judged by its headers, only
 * to choose the format of the refusal.
 */
function detectProtocol(headers: Headers, body: Uint8Array | undefined): CallbackProtocol {
  if (headers.has("wechatpay-signature")) return "v3";
  if (!body) return headers.get("content-type")?.includes("xml") ? "v2" : "v3";
  const first = body.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return first === 0x3c /* < */ ? "v2" : "v3";
}

/** Lossy on purpose: invalid UTF-8 is kept visible as U+FFFD, and NUL (which PostgreSQL text refuses) likewise. */
function storableText(body: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(body).replaceAll("\u0000", "\uFFFD");
}
