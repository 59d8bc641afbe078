import { and, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client";
import { notifications, refunds, verificationResult } from "../schema";
import { beijingDayRange, dayParam } from "./filters";
import { truncateUtf8 } from "../../text";
import { logScopeCondition, type LogScope } from "./scope";
import { cursorColumn, keysetPage, type ListOrder } from "./keyset";

/** What the callback handler did with a notification (the `outcome` column). */
export const NOTIFICATION_OUTCOMES = ["applied", "duplicate", "unmatched", "rejected", "stale", "error"] as const;
export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** The event types WeChat Pay sends to the console (APIv2 refund callbacks are logged under the APIv3 names). */
export const NOTIFICATION_EVENT_TYPES = [
  "REFUND.SUCCESS",
  "REFUND.ABNORMAL",
  "REFUND.CLOSED",
  "TRANSACTION.SUCCESS",
] as const;

/** Raw bodies are shown up to this many bytes; WeChat's callbacks are a few KiB, anything longer is noise or abuse. */
const RAW_BODY_PREVIEW_BYTES = 4096;

/** The callback log's filters, as they stand in the URL. Invalid values are dropped, not errors: a URL is shareable. */
export const notificationFiltersSchema = z.object({
  verification: z.enum(verificationResult.enumValues).optional().catch(undefined),
  outcome: z.enum(NOTIFICATION_OUTCOMES).optional().catch(undefined),
  event: z.string().trim().min(1).max(64).optional().catch(undefined),
  from: dayParam,
  to: dayParam,
  after: z.string().optional().catch(undefined),
});
export type NotificationFilters = z.infer<typeof notificationFiltersSchema>;

/** The refund a callback names, from its decrypted content (APIv3 resource and APIv2 `req_info` alike). */
const noticeRefundNo = sql<string | null>`${notifications.decrypted}->>'out_refund_no'`;

/**
 * A verified callback that arrived before its refund was known (`unmatched`) and whose refund exists now: the rows an
 * admin may re-apply (`reapplyNotification` checks all of it again). One index probe on refunds.out_refund_no per row.
 */
const reapplicable = sql<boolean>`(${notifications.verification} = 'verified' and ${notifications.outcome} = 'unmatched'
  and ${notifications.merchantId} is not null
  and exists (select 1 from ${refunds} r where r.out_refund_no = ${noticeRefundNo}))`;

/** WeChat reports the refund ABNORMAL (the payer's account could not take it back): someone must act on it. */
const abnormal = sql<boolean>`(coalesce(${notifications.eventType} = 'REFUND.ABNORMAL', false)
  or coalesce(${notifications.decrypted}->>'refund_status' = 'ABNORMAL', false))`;

/** A callback as received and as handled, in a line: a row of the callback log, before it is opened. */
const notificationRowColumns = {
  id: notifications.id,
  receivedAt: notifications.receivedAt,
  protocol: notifications.protocol,
  notificationId: notifications.notificationId,
  eventType: notifications.eventType,
  verification: notifications.verification,
  rejectionCode: notifications.rejectionCode,
  outcome: notifications.outcome,
  responseStatus: notifications.responseStatus,
};

/**
 * A callback as a refund's evidence trail shows it: its line, why it was refused, and what it said. The raw body and
 * the signature headers stay out.
 */
export const notificationSummaryColumns = {
  ...notificationRowColumns,
  rejectionReason: notifications.rejectionReason,
  decrypted: notifications.decrypted,
};

const notificationListOrder: ListOrder = { at: notifications.receivedAt, id: notifications.id };

/**
 * The callback log's rows: what each row's summary shows. What a row shows once opened (the decrypted content, the
 * headers, the raw body, the rejection's reason) is `getNotificationDetails`, fetched when it is opened: sent with
 * every row, it made a 50-row page 400 KiB.
 */
export async function listNotifications(db: Db, scope: LogScope, filters: NotificationFilters, pageSize = 50) {
  const conditions: (SQL | undefined)[] = [logScopeCondition(notifications.merchantId, scope)];
  if (filters.verification) conditions.push(eq(notifications.verification, filters.verification));
  if (filters.outcome) conditions.push(eq(notifications.outcome, filters.outcome));
  if (filters.event) conditions.push(eq(notifications.eventType, filters.event));
  conditions.push(...beijingDayRange(notifications.receivedAt, filters.from, filters.to));
  const query = db
    .select({
      ...cursorColumn(notificationListOrder),
      ...notificationRowColumns,
      outRefundNo: refunds.outRefundNo,
      noticeRefundNo,
      reapplicable,
      abnormal,
    })
    .from(notifications)
    .leftJoin(refunds, eq(refunds.id, notifications.refundId))
    .$dynamic();
  return keysetPage(query, notificationListOrder, conditions, filters.after, pageSize);
}

export type NotificationListRow = Awaited<ReturnType<typeof listNotifications>>["rows"][number];

/**
 * One callback of the log as its opened row shows it; null when it is not in `scope`. The raw body comes as its first
 * 4 KiB (`rawBodyPreview`, cut on a character boundary) with its whole size, and where it was cut
 * (`rawBodyCutAtBytes`, null when shown whole).
 */
export async function getNotificationDetails(db: Db, scope: LogScope, id: number) {
  const [row] = await db
    .select({
      rejectionReason: notifications.rejectionReason,
      decrypted: notifications.decrypted,
      headers: notifications.headers,
      // Characters, not bytes: enough to cut the 4 KiB preview from without sending a whole body to the page.
      rawBodyHead: sql<string>`left(${notifications.rawBody}, ${RAW_BODY_PREVIEW_BYTES})`,
      // The size as received: a refused body is stored cut to its first 8 KiB (lib/notifications/refused.ts).
      rawBodyBytes:
        sql<number>`coalesce(${notifications.rawBodyBytes}, octet_length(${notifications.rawBody}))`.mapWith(Number),
    })
    .from(notifications)
    .where(and(logScopeCondition(notifications.merchantId, scope), eq(notifications.id, id)));
  if (!row) return null;
  const { rawBodyHead, ...details } = row;
  return {
    ...details,
    rawBodyPreview: truncateUtf8(rawBodyHead, RAW_BODY_PREVIEW_BYTES),
    rawBodyCutAtBytes: row.rawBodyBytes > RAW_BODY_PREVIEW_BYTES ? RAW_BODY_PREVIEW_BYTES : null,
  };
}

export type NotificationDetails = NonNullable<Awaited<ReturnType<typeof getNotificationDetails>>>;
