import { sql } from "drizzle-orm";
import { translate } from "../translate";
import type { Database } from "../db/client";
import { configurationProblems, type ConfigurationStatus } from "../ops/configuration-status";
import { raiseAlert } from "./raise";

export interface ScanSettings {
  now: Date;
  /** A PENDING or PROCESSING refund older than this is stuck (ALERT_STUCK_MINUTES). */
  stuckMinutes: number;
  /** The gateway's error rate is judged over this window… */
  gatewayWindowMinutes?: number;
  /** …once it has at least this many calls… */
  gatewayMinCalls?: number;
  /** …and alerts at or above this share of failures, in percent. */
  gatewayErrorPercent?: number;
}

/** Stuck and ABNORMAL refunds, raised in one statement each; a refund already raised is skipped by its subject. */
async function raiseRefundAlerts(db: Database, s: ScanSettings): Promise<void> {
  const now = s.now.toISOString();
  await db.execute(sql`
    insert into alert_items (kind, merchant_id, subject, detail, raised_at)
    select 'refund_stuck', r.merchant_id, 'refund:' || r.id,
      jsonb_build_object('outRefundNo', r.out_refund_no, 'status', r.status, 'amountFen', r.amount_fen,
        'minutes', floor(extract(epoch from (${now}::timestamptz - r.created_at)) / 60)::int),
      ${now}::timestamptz
    from refunds r
    where r.status in ('PENDING', 'PROCESSING')
      and r.created_at < ${now}::timestamptz - make_interval(mins => ${s.stuckMinutes}::int)
    order by r.created_at limit 1000
    on conflict do nothing`);
  await db.execute(sql`
    insert into alert_items (kind, merchant_id, subject, detail, raised_at)
    select 'refund_abnormal', r.merchant_id, 'refund:' || r.id,
      jsonb_build_object('outRefundNo', r.out_refund_no, 'amountFen', r.amount_fen), ${now}::timestamptz
    from refunds r where r.status = 'ABNORMAL'
    order by r.created_at limit 1000
    on conflict do nothing`);
}

/**
 * Calls to WeChat Pay that got no usable answer (no response, 429, 5xx) over the last window, per merchant; one
 * alert per merchant and window.
 */
async function raiseGatewayAlerts(db: Database, s: ScanSettings): Promise<void> {
  const minutes = s.gatewayWindowMinutes ?? 10;
  const bucket = Math.floor(s.now.getTime() / (minutes * 60_000));
  await db.execute(sql`
    insert into alert_items (kind, merchant_id, subject, detail, raised_at)
    select 'gateway_errors', x.merchant_id, 'gateway:' || coalesce(x.merchant_id::text, '-') || ':' || ${bucket}::text,
      jsonb_build_object('mchid', m.mchid, 'errors', x.errors, 'total', x.total,
        'percent', round(100.0 * x.errors / x.total), 'window', ${`${minutes} min`}::text),
      ${s.now.toISOString()}::timestamptz
    from (
      select g.merchant_id, count(*) as total,
        count(*) filter (where g.response_status is null or g.response_status = 429 or g.response_status >= 500) as errors
      from gateway_exchanges g
      where g.at > ${s.now.toISOString()}::timestamptz - make_interval(mins => ${minutes}::int)
      group by g.merchant_id) x
    left join merchants m on m.id = x.merchant_id
    where x.total >= ${s.gatewayMinCalls ?? 20}::int and 100.0 * x.errors / x.total >= ${s.gatewayErrorPercent ?? 20}::int
    on conflict do nothing`);
}

/** Problems found by this instance's configuration checks (at start and "Test connection"), once per check. */
async function raiseConfigurationAlerts(db: Database, statuses: readonly ConfigurationStatus[]): Promise<void> {
  for (const status of statuses) {
    for (const problem of status.problems) {
      await raiseAlert(db, {
        kind: "configuration_error",
        merchantId: status.merchant.id,
        subject: `config:${status.merchant.id}:${problem.code}:${status.checkedAt.toISOString()}`,
        detail: {
          mchid: status.merchant.mchid,
          code: problem.code,
          messageZh: translate(problem.message, "zh-CN"),
          messageEn: translate(problem.message, "en"),
        },
      });
    }
  }
}

/** Look for everything an operator must hear about that is not raised where it happens. */
export async function scanForAlerts(
  db: Database,
  settings: ScanSettings,
  configuration: readonly ConfigurationStatus[] = configurationProblems(),
): Promise<void> {
  await raiseRefundAlerts(db, settings);
  await raiseGatewayAlerts(db, settings);
  await raiseConfigurationAlerts(db, configuration);
}
