import type { Db } from "../db/client";
import type { EventSource, RefundStatus } from "../db/schema";
import { redactJson } from "./redact";
import {
  billLineRows,
  callbackRows,
  exchangeRows,
  findRefundForEvidence,
  refundEventRows,
  type EvidenceRefund,
} from "./sources";

/** The request and approvals of people, and the console's own decisions (refund_events). */
export interface EventItem {
  kind: "event";
  key: string;
  at: string;
  type: string;
  source: EventSource;
  actor: string | null;
  statusFrom: RefundStatus | null;
  statusTo: RefundStatus | null;
  details: unknown;
}

/** One request to WeChat Pay and its answer (gateway_exchanges). */
export interface ExchangeItem {
  kind: "exchange";
  key: string;
  at: string;
  operation: string;
  method: string;
  path: string;
  responseStatus: number | null;
  errorCode: string | null;
  durationMs: number;
  actor: string | null;
  request: unknown;
  response: unknown;
}

/** One callback from WeChat Pay about the refund, with how it was checked and what it did. */
export interface CallbackItem {
  kind: "callback";
  key: string;
  at: string;
  protocol: "v3" | "v2";
  notificationId: string | null;
  eventType: string | null;
  verification: "verified" | "rejected";
  /** Whether the encrypted resource opened: `not_attempted` when verification failed first. */
  decryption: "decrypted" | "failed" | "not_attempted";
  rejectionCode: string | null;
  rejectionReason: string | null;
  /** applied | duplicate | stale | rejected | unmatched | error */
  outcome: string;
  responseStatus: number | null;
  resource: unknown;
}

/** A line of WeChat's refund bill naming the refund. */
export interface BillLineItem {
  kind: "bill_line";
  key: string;
  at: string;
  billDate: string;
  lineNo: number;
  wechatRefundId: string | null;
  refundFen: number;
  couponRefundFen: number;
  settlementRefundFen: number | null;
  refundStatus: string | null;
  details: unknown;
}

export type EvidenceItem = EventItem | ExchangeItem | CallbackItem | BillLineItem;

export interface EvidenceTrail {
  refund: { outRefundNo: string; refundId: string | null; status: RefundStatus; amountFen: number; createdAt: string };
  generatedAt: string;
  items: EvidenceItem[];
}

/** At the same instant, cause before effect: a person's request, then the call it made, the callback, the bill. */
const KIND_ORDER: Record<EvidenceItem["kind"], number> = { event: 0, exchange: 1, callback: 2, bill_line: 3 };

/** Merges the sources into one timeline, oldest first; ties keep a stable, causal order. */
export function mergeEvidence(items: readonly EvidenceItem[]): EvidenceItem[] {
  const sortKey = (item: EvidenceItem) => Number(item.key.slice(item.key.indexOf(":") + 1));
  return [...items].sort(
    (a, b) => a.at.localeCompare(b.at) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || sortKey(a) - sortKey(b),
  );
}

function decryption(row: { decrypted: unknown; verification: "verified" | "rejected" }): CallbackItem["decryption"] {
  if (row.decrypted !== null && row.decrypted !== undefined) return "decrypted";
  return row.verification === "verified" ? "failed" : "not_attempted";
}

/** The instant a bill line became known: when the bill was fetched, else when its day was first recorded. */
const billInstant = (row: { fetchedAt: Date | null; createdAt: Date }) =>
  (row.fetchedAt ?? row.createdAt).toISOString();

async function collect(db: Db, refund: EvidenceRefund): Promise<EvidenceItem[]> {
  const [events, exchanges, callbacks, billLines] = await Promise.all([
    refundEventRows(db, refund.id),
    exchangeRows(db, refund.id),
    callbackRows(db, refund.id),
    billLineRows(db, refund),
  ]);
  return [
    ...events.map((e): EventItem => ({
      kind: "event",
      key: `event:${e.id}`,
      at: e.at.toISOString(),
      type: e.type,
      source: e.source,
      actor: e.actorName,
      statusFrom: e.statusFrom,
      statusTo: e.statusTo,
      details: redactJson(e.payload),
    })),
    ...exchanges.map((x): ExchangeItem => ({
      kind: "exchange",
      key: `exchange:${x.id}`,
      at: x.at.toISOString(),
      operation: x.operation,
      method: x.method,
      path: x.path,
      responseStatus: x.responseStatus,
      errorCode: x.errorCode,
      durationMs: x.durationMs,
      actor: x.actorName,
      // Stored redacted; redacted again so rows written under older rules are shown under today's.
      request: redactJson(x.request),
      response: redactJson(x.response),
    })),
    ...callbacks.map((c): CallbackItem => ({
      kind: "callback",
      key: `callback:${c.id}`,
      at: c.receivedAt.toISOString(),
      protocol: c.protocol,
      notificationId: c.notificationId,
      eventType: c.eventType,
      verification: c.verification,
      decryption: decryption(c),
      rejectionCode: c.rejectionCode,
      rejectionReason: c.rejectionReason,
      outcome: c.outcome,
      responseStatus: c.responseStatus,
      resource: redactJson(c.decrypted),
    })),
    ...billLines.map((l): BillLineItem => ({
      kind: "bill_line",
      key: `bill_line:${l.id}`,
      at: billInstant(l),
      billDate: l.billDate,
      lineNo: l.lineNo,
      wechatRefundId: l.wechatRefundId,
      refundFen: l.refundFen,
      couponRefundFen: l.couponRefundFen,
      settlementRefundFen: l.settlementRefundFen,
      refundStatus: l.refundStatus,
      details: redactJson(l.raw),
    })),
  ];
}

/**
 * Everything known about one refund as one chronological, redacted timeline: what people asked, what the console
 * sent WeChat and what came back, what WeChat called back with, and what WeChat's bills say. Null for an unknown
 * refund number. The page and the JSON download both show exactly this.
 */
export async function loadEvidenceTrail(
  db: Db,
  merchantId: string,
  outRefundNo: string,
  now = new Date(),
): Promise<EvidenceTrail | null> {
  const refund = await findRefundForEvidence(db, merchantId, outRefundNo);
  if (!refund) return null;
  return {
    refund: {
      outRefundNo: refund.outRefundNo,
      refundId: refund.refundId,
      status: refund.status,
      amountFen: refund.amountFen,
      createdAt: refund.createdAt.toISOString(),
    },
    generatedAt: now.toISOString(),
    items: mergeEvidence(await collect(db, refund)),
  };
}
