/** How the APIv3 client reads WeChat's answers: a 2xx once verified, an error answer as WeChat's business error. */
import type { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import type { HttpResponse } from "../http";
import { errorBodySchema } from "./schemas";
import { verifySignature, type KeyResolver } from "./verify";

/** A verified answer we cannot use: the request reached WeChat, so its effect is unknown. */
export function unexpectedAnswer(detail: string, status: number): WechatPayError {
  return wechatPayError("malformed", "UNEXPECTED_RESPONSE", detail, status);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A verified answer's JSON read with its schema; fields that do not fit are named, never guessed at. */
export function parseAnswer<T>(schema: z.ZodType<T>, json: unknown, status: number): Result<T, WechatPayError> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(root)"))].join(", ");
  return err(unexpectedAnswer(`answer has unexpected fields: ${fields}`, status));
}

/**
 * Any verification failure of an answer becomes SIGNATURE_INVALID (advice unknown: the request reached WeChat and
 * may have taken effect). The specific reason, and for an error status the code WeChat claimed, go into the detail
 * for the operator, marked as unverified: WeChat does not sign answers to requests whose own signature failed.
 */
export async function verifyAnswer(
  response: HttpResponse,
  resolve: KeyResolver,
  now?: () => number,
): Promise<Result<true, WechatPayError>> {
  const verified = await verifySignature(response, resolve, { now });
  if (verified.ok) return ok(true);
  const claimed = errorBodySchema.safeParse(parseJson(response.body));
  const code = claimed.success && /^[A-Z_]{1,64}$/.test(claimed.data.code) ? claimed.data.code : undefined;
  const claim = code ? `, unverified code ${code}` : "";
  const detail = `${verified.error.code}: ${verified.error.detail} (HTTP ${response.status}${claim})`;
  return err(wechatPayError("verification", "SIGNATURE_INVALID", detail, response.status));
}

/**
 * A non-2xx answer is WeChat's business error `{code, message}` with its own retry advice. WeChat does not sign
 * error answers (a request whose own signature failed gets an unsigned 401 SIGN_ERROR), and the official SDKs read
 * them without verifying; an error answer that does carry a signature must verify. The transport is TLS to WeChat.
 */
export async function errorAnswer(
  response: HttpResponse,
  resolve: KeyResolver,
  now?: () => number,
): Promise<Result<never, WechatPayError>> {
  const signed = response.headers.get("Wechatpay-Signature") !== null;
  if (signed) {
    const verified = await verifyAnswer(response, resolve, now);
    if (!verified.ok) return verified;
  }
  const parsed = errorBodySchema.safeParse(parseJson(response.body));
  if (!parsed.success) {
    return err(unexpectedAnswer(`HTTP ${response.status} without an error body`, response.status));
  }
  const requestId = response.headers.get("Request-ID");
  const notes = [
    requestId ? `Request-ID ${requestId.slice(0, 64)}` : undefined,
    signed ? undefined : "unsigned error answer",
  ].filter(Boolean);
  const detail =
    notes.length > 0 ? `${parsed.data.message.slice(0, 500)} (${notes.join(", ")})` : parsed.data.message.slice(0, 500);
  return err(wechatPayError("business", parsed.data.code, detail, response.status));
}
