import type postgres from "postgres";
import { APPID, MCHID } from "../../tests/fixtures/notifications";

/** The bench merchant: the test merchant's mchid, so the WECHATPAY_* variables of tests/fixtures sign and verify. */
export async function createBenchMerchant(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into merchants (mchid, appid, display_name, credentials_ref, approval_threshold_fen)
    values (${MCHID}, ${APPID}, 'Bench merchant', 'env', 100000000)
    returning id`;
  return row!.id;
}

/**
 * `count` paid orders of 10.00 yuan, each with one PROCESSING refund of 6.00 yuan that WeChat has accepted — the
 * refunds a burst of callbacks settles. Numbers are `<prefix>T<n>` / `<prefix>R<n>`.
 */
export async function createProcessingRefunds(
  sql: postgres.Sql,
  merchantId: string,
  prefix: string,
  count: number,
): Promise<void> {
  await sql`
    with new_orders as (
      insert into orders (merchant_id, out_trade_no, transaction_id, description, total_fen, paid_at, in_flight_fen, refund_count)
      select ${merchantId}, ${prefix} || 'T' || g, '4200' || lpad(g::text, 24, '0'), 'bench order ' || g, 1000,
             now() - make_interval(secs => g), 600, 1
      from generate_series(1, ${count}::int) g
      returning id, out_trade_no
    )
    insert into refunds (order_id, merchant_id, out_refund_no, refund_id, amount_fen, reason, status, scheduled_at, submitted_at, attempt_count)
    select id, ${merchantId}, ${prefix} || 'R' || substr(out_trade_no, length(${prefix}) + 2), '5030' || lpad(id::text, 24, '0'),
           600, 'bench', 'PROCESSING', now(), now(), 1
    from new_orders`;
}

/**
 * `count` callbacks received before the run, settled as applied: a console that has been live a while. An empty
 * table is no deployment's state, and PostgreSQL plans for what it sees: on one, a connection could cache a plan that
 * scans the table for the exactly-once check, and keep it while the run grows the table (docs/benchmarks.md).
 */
export async function createCallbackHistory(sql: postgres.Sql, merchantId: string, count: number): Promise<void> {
  await sql`
    insert into notifications (received_at, protocol, notification_id, event_type, verification, headers, raw_body,
                               raw_body_bytes, raw_body_sha256, decrypted, merchant_id, outcome, response_status)
    select now() - make_interval(secs => g), 'v3', gen_random_uuid()::text, 'REFUND.SUCCESS', 'verified',
           jsonb_build_object('wechatpay-serial', 'PUB_KEY_ID_0000000000000000000000000000', 'wechatpay-nonce', md5(g::text)),
           repeat(md5(g::text), 28), 896, encode(sha256(g::text::bytea), 'hex'),
           jsonb_build_object('out_refund_no', 'HR' || g, 'refund_status', 'SUCCESS'), ${merchantId}, 'applied', 204
    from generate_series(1, ${count}::int) g`;
}

/**
 * `count` audit entries over the last months, as refunds requested by a handful of operators leave them (with the
 * details `requestRefund` writes).
 */
export async function createAuditTrail(sql: postgres.Sql, merchantId: string, count: number): Promise<void> {
  await sql`
    insert into audit_log (at, actor_label, action, target_type, target_id, details, merchant_id)
    select now() - make_interval(secs => g * 30), 'operator' || (g % 7) || '@shop.example', 'refund.requested',
           'refund', 'SR' || lpad(g::text, 10, '0'),
           jsonb_build_object('orderId', g, 'outTradeNo', 'ST' || lpad(g::text, 10, '0'), 'amountFen', 100 + g % 9900,
                              'reason', 'Customer request 顾客申请退款',
                              'after', jsonb_build_object('status', 'PENDING', 'remainingFen', g % 5000)),
           ${merchantId}
    from generate_series(1, ${count}::int) g`;
}

/**
 * A million-order shop: `orderCount` orders over the last ~11 months (distinct descriptions, payer ids and amounts)
 * and `refundCount` refunds in a realistic status mix, with the orders' cached sums exactly matching their refunds.
 */
export async function createShop(
  sql: postgres.Sql,
  merchantId: string,
  orderCount: number,
  refundCount: number,
): Promise<void> {
  await sql`
    insert into orders (merchant_id, out_trade_no, transaction_id, description, payer_openid, total_fen, paid_at)
    select ${merchantId}, 'ST' || to_char(g, 'FM0000000000'), '4200' || lpad(g::text, 24, '0'),
           (array['Latte 拿铁', 'Green tea 绿茶', 'Concert ticket 演唱会门票', 'Sneakers 运动鞋', 'Phone case 手机壳', 'Monthly pass 月卡'])[1 + g % 6] || ' #' || g,
           'oUpF8uMuAJO_M2pxb1Q9zNjWeS' || (g % 50000), 100 + (g::bigint * 7919) % 99900,
           now() - make_interval(secs => (g::bigint * 28)::int)
    from generate_series(1, ${orderCount}::int) g`;
  // Every third order (the newest ones first) gets one refund of about half its total.
  await sql`
    insert into refunds (order_id, merchant_id, out_refund_no, refund_id, amount_fen, reason, status, created_at, updated_at, scheduled_at, submitted_at, finished_at)
    select o.id, o.merchant_id, 'SR' || substr(o.out_trade_no, 3), '5030' || lpad(o.id::text, 24, '0'), greatest(1, o.total_fen / 2), 'Customer request 顾客申请退款',
           (case when n % 20 < 14 then 'SUCCESS' when n % 20 < 16 then 'PROCESSING' when n % 20 < 18 then 'CLOSED' when n % 20 = 18 then 'ABNORMAL' else 'PENDING' end)::refund_status,
           o.paid_at + interval '2 hours', o.paid_at + interval '2 hours', o.paid_at + interval '2 hours', o.paid_at + interval '2 hours', o.paid_at + interval '3 hours'
    from (select id, merchant_id, out_trade_no, total_fen, paid_at, row_number() over (order by id) as n from orders where id % 3 = 0 order by id limit ${refundCount}) o`;
  await sql`
    update orders o set
      refunded_fen = s.refunded, in_flight_fen = s.in_flight, refund_count = s.count
    from (
      select order_id,
             sum(amount_fen) filter (where status = 'SUCCESS') as refunded_raw,
             coalesce(sum(amount_fen) filter (where status = 'SUCCESS'), 0) as refunded,
             coalesce(sum(amount_fen) filter (where status in ('AWAITING_APPROVAL', 'PENDING', 'PROCESSING', 'ABNORMAL')), 0) as in_flight,
             count(*) filter (where status <> 'REJECTED') as count
      from refunds group by order_id
    ) s
    where s.order_id = o.id`;
  // As after any bulk load; on a live table autovacuum does it. Without it, the visibility map is empty and every
  // index-only scan (the "Needs attention" count, say) still visits each row.
  await sql`vacuum analyze`;
}
