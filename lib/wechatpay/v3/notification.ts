import { randomUUID, type KeyObject } from "node:crypto";
import type { z } from "zod";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { decryptResource, encryptResource } from "./aead";
import {
  notificationSchema,
  refundResourceSchema,
  transactionResourceSchema,
  type NotificationEnvelope,
  type RefundResource,
  type TransactionResource,
} from "./schemas";
import {
  signResponse,
  verifySignature,
  type HeaderSource,
  type KeyResolver,
  type SignatureHeaders,
  type VerifyOptions,
  type WechatpayHeaders,
} from "./verify";
import { decodeUtf8Exact } from "../../utf8";
import { beijingIso } from "../../beijing-time";

/** WeChat's callbacks are a few KiB; refusing more before any work keeps a flood cheap. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;

/** A callback as the HTTP handler received it: the body must be the raw text, never re-serialised JSON. */
export interface IncomingNotification {
  headers: HeaderSource;
  rawBody: string | Uint8Array;
}

export interface OpenedNotification {
  envelope: NotificationEnvelope;
  /** Decrypted `resource`, still as text. */
  plaintext: string;
  signature: SignatureHeaders;
}

export interface Notification<T> {
  id: string;
  createTime: string;
  eventType: string;
  summary: string;
  resource: T;
  signature: SignatureHeaders;
}

/**
 * Verifies, then parses, then decrypts any APIv3 callback. The order matters: nothing of the body is interpreted
 * before its signature is checked over the exact bytes received.
 */
export async function openNotification(
  input: IncomingNotification,
  resolveKey: KeyResolver,
  apiV3Key: string,
  options: VerifyOptions = {},
): Promise<Result<OpenedNotification, WechatPayError>> {
  const size = typeof input.rawBody === "string" ? Buffer.byteLength(input.rawBody, "utf8") : input.rawBody.byteLength;
  if (size > MAX_NOTIFICATION_BYTES) {
    return err(wechatPayError("malformed", "BODY_TOO_LARGE", `notification body of ${size} bytes exceeds 64 KiB`));
  }
  // A leading BOM stays in the text, so the signature is checked over exactly what was sent.
  const body = typeof input.rawBody === "string" ? input.rawBody : decodeUtf8Exact(input.rawBody);
  if (body === undefined) return err(wechatPayError("malformed", "MALFORMED", "notification body is not UTF-8"));

  const signature = await verifySignature({ headers: input.headers, body }, resolveKey, options);
  if (!signature.ok) return signature;

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return err(wechatPayError("malformed", "MALFORMED", "notification body is not JSON"));
  }
  const envelope = notificationSchema.safeParse(json);
  if (!envelope.success) {
    return err(wechatPayError("malformed", "MALFORMED", "notification envelope has an unexpected shape"));
  }

  const plaintext = decryptResource(envelope.data.resource, apiV3Key);
  if (!plaintext.ok) return plaintext;
  return ok({ envelope: envelope.data, plaintext: plaintext.value, signature: signature.value });
}

async function openTyped<T>(
  input: IncomingNotification,
  resolveKey: KeyResolver,
  apiV3Key: string,
  options: VerifyOptions,
  eventPrefix: string,
  schema: z.ZodType<T>,
): Promise<Result<Notification<T>, WechatPayError>> {
  const opened = await openNotification(input, resolveKey, apiV3Key, options);
  if (!opened.ok) return opened;
  const { envelope, plaintext, signature } = opened.value;
  if (!envelope.event_type.startsWith(eventPrefix)) {
    return err(wechatPayError("malformed", "UNEXPECTED_EVENT_TYPE", `event_type ${envelope.event_type}`));
  }
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    return err(wechatPayError("malformed", "MALFORMED", "decrypted resource is not JSON"));
  }
  const resource = schema.safeParse(json);
  if (!resource.success) {
    const fields = [...new Set(resource.error.issues.map((i) => i.path.join(".") || "(root)"))].join(", ");
    return err(wechatPayError("malformed", "MALFORMED", `decrypted resource has unexpected fields: ${fields}`));
  }
  return ok({
    id: envelope.id,
    createTime: envelope.create_time,
    eventType: envelope.event_type,
    summary: envelope.summary,
    resource: resource.data,
    signature,
  });
}

/** A refund result callback: REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED. */
export function parseRefundNotification(
  input: IncomingNotification,
  resolveKey: KeyResolver,
  apiV3Key: string,
  options: VerifyOptions = {},
): Promise<Result<Notification<RefundResource>, WechatPayError>> {
  return openTyped(input, resolveKey, apiV3Key, options, "REFUND.", refundResourceSchema);
}

/** A payment result callback: TRANSACTION.SUCCESS. */
export function parseTransactionNotification(
  input: IncomingNotification,
  resolveKey: KeyResolver,
  apiV3Key: string,
  options: VerifyOptions = {},
): Promise<Result<Notification<TransactionResource>, WechatPayError>> {
  return openTyped(input, resolveKey, apiV3Key, options, "TRANSACTION.", transactionResourceSchema);
}

export interface NotificationDraft {
  /** e.g. REFUND.SUCCESS */
  eventType: string;
  summary: string;
  /** `refund` or `transaction`; also used as associated_data unless given. */
  originalType: string;
  /** The plaintext resource: an object is serialised with JSON.stringify. */
  resource: unknown;
  apiV3Key: string;
  signer: { privateKey: KeyObject; serial: string };
  /** Fixed values reproduce known answers; otherwise fresh ones are made. */
  id?: string;
  createTime?: string;
  associatedData?: string;
  resourceNonce?: string;
  timestamp?: string;
  nonce?: string;
}

/** Gateway side (simulator, tests): a signed, encrypted callback exactly as WeChat Pay posts it. */
export function buildNotification(
  draft: NotificationDraft,
): Result<{ headers: WechatpayHeaders; body: string }, WechatPayError> {
  const plaintext = typeof draft.resource === "string" ? draft.resource : JSON.stringify(draft.resource);
  const encrypted = encryptResource(plaintext, draft.apiV3Key, {
    associatedData: draft.associatedData ?? draft.originalType,
    nonce: draft.resourceNonce,
  });
  if (!encrypted.ok) return encrypted;
  // Key order as WeChat sends it; it does not matter for verification, which is over these exact bytes.
  const body = JSON.stringify({
    id: draft.id ?? randomUUID(),
    create_time: draft.createTime ?? beijingIso(Date.now()),
    resource_type: "encrypt-resource",
    event_type: draft.eventType,
    summary: draft.summary,
    resource: {
      original_type: draft.originalType,
      algorithm: encrypted.value.algorithm,
      ciphertext: encrypted.value.ciphertext,
      associated_data: encrypted.value.associated_data,
      nonce: encrypted.value.nonce,
    },
  });
  const headers = signResponse({ body, ...draft.signer, timestamp: draft.timestamp, nonce: draft.nonce });
  return headers.ok ? ok({ headers: headers.value, body }) : headers;
}
