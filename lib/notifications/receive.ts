import { DEFAULT_TRUSTED_PROXIES } from "../client-address";
import type { Database } from "../db/client";
import { log } from "../log";
import { err, ok, type Result } from "../result";
import { candidatesAfterRefusal, recentCandidates } from "../wechatpay/callback-candidates";
import type { MerchantWechatPay } from "../wechatpay/merchant-gateways";
import type { V2RefundNotification } from "../wechatpay/v2/notification";
import { parseRefundNotification, parseTransactionNotification } from "../wechatpay/v3/notification";
import { answerFor, type CallbackAnswer, type Settled } from "./answer";
import { readCallback, type CallbackProtocol, type ReceivedCallback } from "./intake";
import { openV2, openV3, type Refusal } from "./open";
import { recordPayment } from "./payment";
import {
  insertNotification,
  insertVerifiedNotification,
  settleNotification,
  type NotificationInsert,
  type NotificationRow,
} from "./record";
import { handleRefundNotice, v2RefundNotice, v3RefundNotice, type RefundNotice } from "./refund";
import { admitRefusedRow, callbackSource, refusedRecord } from "./refused";
import { observeCallback } from "../ops/metrics";

export interface CallbackOptions {
  /**
   * The merchants a callback may be addressed to, read for every callback; by default the configured ones
   * (`configuredMerchants`), kept for a few seconds (lib/wechatpay/callback-candidates.ts).
   */
  merchants?: () => Promise<MerchantWechatPay[]>;
  /** Proxies in front that append to X-Forwarded-For (TRUSTED_PROXIES); by default one. */
  trustedProxies?: number;
}

/** A callback whose origin and addressee are established: what to store, and how to act on it. */
interface Verified {
  merchantId: string;
  notificationId: string | null;
  eventType: string;
  decrypted: Record<string, unknown>;
  handle: (db: Database, row: NotificationRow) => Promise<Settled>;
}

interface CallbackKind {
  name: "refund" | "payment";
  open(
    candidates: MerchantWechatPay[],
    protocol: CallbackProtocol,
    headers: Headers,
    body: Uint8Array,
  ): Promise<Result<Verified, Refusal>>;
}

/** The decrypted APIv2 callback, flat like an APIv3 resource: the merchant's ids beside the refund's fields. */
function v2Decrypted(n: V2RefundNotification): Record<string, unknown> {
  return { ...n.refund, appid: n.appid, mch_id: n.mch_id, sub_appid: n.sub_appid, sub_mch_id: n.sub_mch_id };
}

interface OpenedRefund {
  wechatPay: MerchantWechatPay;
  notice: RefundNotice;
  decrypted: Record<string, unknown>;
}

async function openRefund(
  candidates: MerchantWechatPay[],
  protocol: CallbackProtocol,
  headers: Headers,
  body: Uint8Array,
): Promise<Result<OpenedRefund, Refusal>> {
  if (protocol === "v2") {
    const opened = openV2(candidates, body);
    if (!opened.ok) return opened;
    const { wechatPay, notification } = opened.value;
    return ok({
      wechatPay,
      notice: v2RefundNotice(wechatPay.merchant.id, notification),
      decrypted: v2Decrypted(notification),
    });
  }
  const opened = await openV3(candidates, { headers, rawBody: body }, parseRefundNotification);
  if (!opened.ok) return opened;
  const { wechatPay, notification } = opened.value;
  return ok({
    wechatPay,
    notice: v3RefundNotice(wechatPay.merchant.id, notification),
    decrypted: notification.resource,
  });
}

const refundKind: CallbackKind = {
  name: "refund",
  async open(candidates, protocol, headers, body) {
    const opened = await openRefund(candidates, protocol, headers, body);
    if (!opened.ok) return opened;
    const { wechatPay, notice, decrypted } = opened.value;
    return ok({
      merchantId: notice.merchantId,
      notificationId: notice.notificationId,
      eventType: notice.eventType,
      decrypted,
      handle: (db, row) => handleRefundNotice(db, row, notice, wechatPay.gateway),
    });
  },
};

const paymentKind: CallbackKind = {
  name: "payment",
  async open(candidates, protocol, headers, body) {
    if (protocol === "v2")
      return err({ code: "UNSUPPORTED_PROTOCOL", reason: "APIv2 payment notifications are not handled" });
    const opened = await openV3(candidates, { headers, rawBody: body }, parseTransactionNotification);
    if (!opened.ok) return opened;
    const { wechatPay, notification } = opened.value;
    const merchantId = wechatPay.merchant.id;
    return ok({
      merchantId,
      notificationId: notification.id,
      eventType: notification.eventType,
      decrypted: notification.resource,
      handle: (db, row) => recordPayment(db, row, notification, merchantId),
    });
  },
};

/**
 * One callback, start to end: read the raw body (bounded), establish origin and addressee before anything parses
 * it, store the request, act on it, record the outcome and the answer. Only a verified, decrypted notification
 * reaches `handle`; every request leaves a row, refused ones included.
 */
async function receive(
  db: Database,
  request: Request,
  kind: CallbackKind,
  options: CallbackOptions,
): Promise<CallbackAnswer> {
  let protocol: CallbackProtocol = "v3";
  let row: NotificationRow | undefined;
  try {
    const received = await readCallback(request);
    protocol = received.protocol;
    if (!received.body) {
      return await refuse(
        db,
        received,
        { code: "BODY_TOO_LARGE", reason: "body exceeds 64 KiB; refused unread" },
        kind,
        options.trustedProxies,
      );
    }
    const opened = await openFromCandidates(db, kind, options, protocol, received.headers, received.body);
    if (!opened.ok) return await refuse(db, received, opened.error, kind, options.trustedProxies);
    const stored = {
      protocol,
      headers: received.storedHeaders,
      rawBody: received.storedBody,
      rawBodyBytes: received.body.byteLength,
    };

    const { merchantId, notificationId, eventType, decrypted, handle } = opened.value;
    // Stored as `error` until settled: a crash in between leaves a truthful row, and WeChat re-sends.
    const values: NotificationInsert & { verification: "verified" } = {
      ...stored,
      verification: "verified",
      notificationId,
      eventType,
      decrypted,
      merchantId,
      outcome: "error",
    };
    row = { ...(await insertVerifiedNotification(db, values)), protocol, recordAnswer: true };
    const settled = row.appliedEarlier ? duplicateOf(row.appliedEarlier) : await handle(db, row);
    const level =
      settled.outcome === "error"
        ? "error"
        : settled.outcome === "rejected" || settled.outcome === "unmatched"
          ? "warn"
          : "info";
    log[level](
      {
        notification: row.id,
        kind: kind.name,
        protocol,
        notificationId,
        eventType,
        outcome: settled.outcome,
        code: settled.code,
      },
      "callback handled",
    );
    observeCallback(kind.name, "verified", settled.outcome);
    return answerFor(protocol, settled);
  } catch (error) {
    log.error({ err: error, notification: row?.id, kind: kind.name, protocol }, "callback handling failed");
    const settled: Settled = { outcome: "error", code: "INTERNAL_ERROR", reason: "internal error; see the server log" };
    if (row) {
      await settleNotification(db, row, settled).catch((e: unknown) =>
        log.error({ err: e, notification: row?.id }, "could not record the error"),
      );
    }
    return answerFor(protocol, settled);
  }
}

/** A repeat of a delivery already applied: its row was stored settled, and nothing is locked, confirmed or applied. */
function duplicateOf(applied: NonNullable<NotificationRow["appliedEarlier"]>): Settled {
  return { outcome: "duplicate", ...(applied.refundId === null ? {} : { refundId: applied.refundId }) };
}

/** Refusals that may only mean the kept merchants are out of date: another instance added a merchant or a key. */
const NOT_ADDRESSED_TO_KEPT = new Set(["UNKNOWN_SERIAL", "DECRYPTION_FAILED", "MERCHANT_MISMATCH", "NOT_CONFIGURED"]);

/** Opens a callback with the given merchants, or with the recently read ones (read again once if they refuse it). */
async function openFromCandidates(
  db: Database,
  kind: CallbackKind,
  options: CallbackOptions,
  protocol: CallbackProtocol,
  headers: Headers,
  body: Uint8Array,
): Promise<Result<Verified, Refusal>> {
  if (options.merchants) return kind.open(await options.merchants(), protocol, headers, body);
  const opened = await kind.open(await recentCandidates(db), protocol, headers, body);
  if (opened.ok || !NOT_ADDRESSED_TO_KEPT.has(opened.error.code)) return opened;
  const reread = candidatesAfterRefusal(db);
  return reread ? kind.open(await reread, protocol, headers, body) : opened;
}

/**
 * Answers a refused callback, and records it within bounds (refused.ts): its body's head, size and hash, and no row
 * at all past a few per source and minute — the answer is the same either way.
 */
async function refuse(
  db: Database,
  received: ReceivedCallback,
  refusal: Refusal,
  kind: CallbackKind,
  trustedProxies = DEFAULT_TRUSTED_PROXIES,
): Promise<CallbackAnswer> {
  const { protocol } = received;
  const settled: Settled = { outcome: "rejected", code: refusal.code, reason: refusal.reason };
  const answer = answerFor(protocol, settled);
  const source = callbackSource(received.headers, trustedProxies);
  if (!(await admitRefusedRow(db, source))) {
    log.debug({ kind: kind.name, protocol, code: refusal.code, source }, "callback refused; not stored (too many)");
    observeCallback(kind.name, "refused", refusal.code);
    return answer;
  }
  const length = received.headers.get("content-length");
  const announced = length && /^\d+$/.test(length) ? Number(length) : null;
  const record = refusedRecord(received.body, received.storedHeaders, announced);
  const { id } = await insertNotification(db, {
    protocol,
    ...record,
    ...refusal.opened,
    verification: "rejected",
    rejectionCode: refusal.code,
    rejectionReason: refusal.reason,
    outcome: "rejected",
    responseStatus: answer.status,
    responseBody: answer.body,
  });
  log.warn(
    { notification: id, kind: kind.name, protocol, code: refusal.code, reason: refusal.reason, source },
    "callback refused",
  );
  observeCallback(kind.name, "refused", refusal.code);
  return answer;
}

/** POST /api/notify/refund: WeChat Pay's refund result callbacks, APIv3 or APIv2. */
export function receiveRefundNotification(
  db: Database,
  request: Request,
  options: CallbackOptions = {},
): Promise<CallbackAnswer> {
  return receive(db, request, refundKind, options);
}

/** POST /api/notify/payment: APIv3 TRANSACTION.SUCCESS, recording the paid order. */
export function receivePaymentNotification(
  db: Database,
  request: Request,
  options: CallbackOptions = {},
): Promise<CallbackAnswer> {
  return receive(db, request, paymentKind, options);
}
